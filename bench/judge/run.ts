import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BiasKind } from './sim.js';
import { DEFAULT_WORLD, runWorld } from './sim.js';

/**
 * `npm run bench:judge`: in simulated worlds whose judge is biased (by length, towards a lens, by
 * position), the utility of the pick — the true quality of the chosen candidate over the best's —
 * with a jury of three and a pairwise rank of the top four, against a single absolute judge given
 * the same number of calls. Mean with a 95% interval over the worlds, and how often each picks the
 * truly best. Writes bench/judge/RESULTS.md.
 */

const WORLDS = Number(process.env.BENCH_WORLDS ?? 2000);
const KINDS: BiasKind[] = ['none', 'length', 'lens', 'position'];

function summary(values: readonly number[]): { mean: number; half: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, half: 1.96 * Math.sqrt(variance / values.length) };
}

const rows: string[] = [];
const lines = [
  `# Judge benchmark (simulated): jury + pairwise vs a single absolute judge, at equal calls`,
  '',
  `${WORLDS} worlds per bias; ${DEFAULT_WORLD.candidates} candidates, ${DEFAULT_WORLD.lenses} lenses; bias strength ${DEFAULT_WORLD.strength} points, ${Math.round(DEFAULT_WORLD.shared * 100)}% of each bias shared by all judges; absolute-score noise ${DEFAULT_WORLD.noise} point, compression ${DEFAULT_WORLD.compression}.`,
  'Utility: true quality of the pick ÷ the best true quality (mean ± 95% interval). Hit: the truly best was picked.',
  '',
  '| judge bias | calls | single absolute: utility | hit | jury + pairwise: utility | hit | difference |',
  '|---|---|---|---|---|---|---|',
];
for (const kind of KINDS) {
  const results = Array.from({ length: WORLDS }, (_, i) => runWorld(kind, 1000 + i));
  const single = summary(results.map((r) => r.single));
  const jury = summary(results.map((r) => r.jury));
  const difference = summary(results.map((r) => r.jury - r.single));
  const hit = (key: 'singleHit' | 'juryHit'): string => `${Math.round((100 * results.filter((r) => r[key]).length) / results.length)}%`;
  const f = (s: { mean: number; half: number }): string => `${s.mean.toFixed(3)} ± ${s.half.toFixed(3)}`;
  const row = `| ${kind} | ${results[0]?.calls ?? 0} | ${f(single)} | ${hit('singleHit')} | ${f(jury)} | ${hit('juryHit')} | ${difference.mean >= 0 ? '+' : ''}${f(difference)} |`;
  rows.push(row);
  lines.push(row);
}
lines.push('', `Command: \`npm run bench:judge\` (BENCH_WORLDS=${WORLDS}). Simulation code: bench/judge/sim.ts.`);
const text = `${lines.join('\n')}\n`;
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), text);
process.stdout.write(text);
