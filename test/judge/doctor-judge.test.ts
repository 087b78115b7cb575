import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureJudgeBias } from '../../src/index.js';
import { createRehearsalModel } from '../../src/test.js';
import { jsonOf, runCli, tempDir } from '../support/cli.js';
import type { SchemaServer } from './schema-server.js';
import { startSchemaServer } from './schema-server.js';

/**
 * `baton doctor --judge` measures a judge's length and position bias in plain words; `baton doctor
 * --structured` finds out whether a server honours a JSON schema. Against the rehearsal model
 * (no bias) and loopback servers built to have the biases (or to ignore schemas).
 */

let biased: SchemaServer;
let prose: SchemaServer;
beforeAll(async () => {
  // Scores grow with length; comparisons always pick the text shown first.
  biased = await startSchemaServer({ score: (_criterion, text) => Math.min(10, 3 + text.length / 150), compare: () => 'first' });
  prose = await startSchemaServer({ honourProbe: false });
});
afterAll(async () => {
  await biased.close();
  await prose.close();
});

describe('judge bias checks', () => {
  it('finds no bias in the rehearsal judge (library call)', async () => {
    const report = await measureJudgeBias(createRehearsalModel());
    expect(report.calls).toBe(12);
    expect(report.lengthPairs).toBe(3);
    expect(Math.abs(report.lengthShift ?? 99)).toBeLessThan(0.5);
    expect(report.length).toMatch(/^No measurable length bias/u);
    expect(report.position).toMatch(/^No strong position bias/u);
  });

  it('names length and position bias in plain words through the CLI', async () => {
    const result = await runCli(['doctor', '--judge', 'openai:gpt-4o-mini'], {
      cwd: tempDir('baton-bias-'),
      env: { OPENAI_API_KEY: 'sk-fake', OPENAI_BASE_URL: `${biased.url}/v1` },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Length bias: padding a text with empty words raised its score by \d\.\d points/u);
    expect(result.stdout).toContain('Position bias: it chose the text shown first in 6 of 6 comparisons');
    const json = jsonOf(await runCli(['doctor', '--judge', 'rehearsal', '--json'], { cwd: tempDir('baton-bias-'), env: {} })) as { calls: number; judge: string };
    expect(json).toMatchObject({ calls: 12, judge: 'rehearsal:default' });
  });

  it('probes whether a server honours a JSON schema', async () => {
    const env = (url: string): Record<string, string> => ({ BATON_OPENAI_COMPATIBLE_BASE_URL: `${url}/v1`, BATON_OPENAI_COMPATIBLE_STRUCTURED_OUTPUTS: 'false' });
    const honours = jsonOf(await runCli(['doctor', '--json', '--structured', '--model', 'openai-compatible:m'], { cwd: tempDir('baton-probe-'), env: env(biased.url) })) as {
      providers: Array<{ provider: string; structured?: { status: string } }>;
    };
    expect(honours.providers.find((p) => p.provider === 'openai-compatible')?.structured?.status).toBe('honoured');
    const ignores = await runCli(['doctor', '--structured', '--model', 'openai-compatible:m'], { cwd: tempDir('baton-probe-'), env: env(prose.url) });
    expect(ignores.stdout).toContain('ignored the JSON schema and answered in prose: set BATON_OPENAI_COMPATIBLE_STRUCTURED_OUTPUTS=false');
  });
});
