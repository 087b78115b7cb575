import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BenchResult } from '../../bench/attention/bench.js';
import { POLICIES } from '../../bench/attention/bench.js';
import { main } from '../../bench/attention/run.js';
import { summarize } from '../../bench/attention/stats.js';
import { tempDirs } from '../support/crash.js';

/**
 * The attention benchmark in quick mode on one world and one seed: the command writes the
 * Markdown report and the SVG plot, prints a machine-readable result of the right shape, and a
 * bad world file is a located error with exit code 2. Figures are not asserted (a benchmark
 * prints them); the shape and the bookkeeping are.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const EASY = join(import.meta.dirname, '../../bench/attention/worlds/easy.json');

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('bench:attention', () => {
  it('runs every policy on a world and writes the report, the plot and the JSON result', async () => {
    const out = tmp.make('baton-bench-');
    const { code, stdout } = await capture(['--quick', '--seeds', '1', '--world', EASY, '--out', out, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as BenchResult;
    expect(result.seeds).toBe(1);
    expect(result.worlds.map((w) => w.world)).toEqual(['easy']);
    expect(result.overall.map((p) => p.policy)).toEqual([...POLICIES]);
    const runs = result.worlds[0]?.runs ?? [];
    expect(runs).toHaveLength(POLICIES.length);
    for (const run of runs) {
      expect(run.relativeUtility).toBeGreaterThan(0);
      expect(run.relativeUtility).toBeLessThanOrEqual(1);
      expect(run.calls).toBeGreaterThan(0);
    }
    // One denominator per world and seed: the best of everything any policy produced (a final pick
    // comes from the last board, so no policy need reach it).
    expect(new Set(runs.map((r) => r.best)).size).toBe(1);
    const byPolicy = new Map(runs.map((r) => [r.policy, r]));
    expect(byPolicy.get('NEVER')?.interventions).toBe(0);
    expect(byPolicy.get('best-of-N')?.interventions).toBe(0);
    expect(byPolicy.get('TERMINATE')?.interventions).toBe(1);
    // ALWAYS is asked after every move: one answer per writer call, give or take the last.
    const always = byPolicy.get('ALWAYS');
    expect(always?.interventions).toBeGreaterThanOrEqual(((always?.calls ?? 0) / 2) - 1);
    expect(byPolicy.get('Baton')?.calls).toBeLessThanOrEqual(80);
    expect(result.targets.met).toEqual(expect.objectContaining({ utility: expect.any(Boolean), interventions: expect.any(Boolean) }));

    const markdown = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(markdown).toContain('| Baton |');
    expect(markdown).toContain('## Targets');
    expect(markdown).toContain('World `easy`');
    const svg = readFileSync(join(out, 'utility-vs-interventions.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('ToT-BFS');
  });

  it('refuses a bad world file with a located message and exit code 2, writing nothing', async () => {
    const out = tmp.make('baton-bench-');
    const bad = join(out, 'bad.json');
    const world = JSON.parse(readFileSync(EASY, 'utf8')) as { taste: { weights: number[] }; judgeNoise: unknown };
    world.taste.weights = [1];
    await writeFile(bad, JSON.stringify(world));
    const { code, stderr } = await capture(['--world', bad, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain(bad);
    expect(stderr).toContain('taste.weights: expected 2 weights');
    expect(stderr).not.toMatch(/\n\s+at /u);
    world.judgeNoise = 'loud';
    await writeFile(bad, JSON.stringify(world));
    const mistyped = await capture(['--world', bad, '--out', out]);
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain('judgeNoise');
    expect(existsSync(join(out, 'RESULTS.md'))).toBe(false);

    await writeFile(bad, '{ "name": ');
    const broken = await capture(['--world', bad, '--out', out]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not valid JSON');
    expect((await capture(['--seeds', 'zero'])).code).toBe(2);
  });

  it('summarises seeds with a t-interval that widens with spread and collapses for one seed', () => {
    expect(summarize([0.8])).toEqual({ mean: 0.8, low: 0.8, high: 0.8, n: 1 });
    const s = summarize([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.high - s.mean).toBeCloseTo(3.182 * Math.sqrt(5 / 3 / 4), 9);
    expect(s.mean - s.low).toBeCloseTo(s.high - s.mean, 12);
  });
});
