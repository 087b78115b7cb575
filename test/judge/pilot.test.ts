import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Baton } from '../../src/baton.js';
import { EXAMPLE_BRIEFS } from '../../src/test.js';
import { runCli } from '../support/cli.js';
import { tempDirs } from '../support/crash.js';

/**
 * A pilot: `pilot: N` opens N candidates, judges them, and stops with a `pilot` checkpoint whose
 * board shows how each criterion scored and why — before anything else is spent. A redirect there
 * sharpens the criteria, and the exploration goes on under the new brief.
 */

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

function briefWithPilot(dir: string, pilot: number): string {
  const path = join(dir, 'brief.md');
  writeFileSync(path, readFileSync(EXAMPLE_BRIEFS.engineering, 'utf8').replace('attention: 3', `attention: 3\npilot: ${pilot}`));
  return path;
}

describe('a pilot', () => {
  it('opens N candidates, judges them, and stops with a pilot checkpoint that shows each criterion', async () => {
    const dir = tmp.make('baton-pilot-');
    const baton = Baton.open({ db: join(dir, 'baton.db'), cwd: dir, concurrency: 4 });
    try {
      const id = await baton.start(briefWithPilot(dir, 5), { seed: 11 });
      const outcome = await baton.run(id);
      expect(outcome.status).toBe('awaiting');
      // Whatever else is pending joins the pilot's stop; the pilot comes first.
      expect(outcome.checkpoint?.reasons[0]?.kind).toBe('pilot');
      const candidates = await baton.store.listCandidates(id);
      // Five openings and nothing else: four lenses in turn, then the first again.
      expect(candidates.map((c) => c.kind)).toEqual(['open', 'open', 'open', 'open', 'open']);
      expect(candidates.map((c) => c.lensId)).toEqual(['first-principles', 'challenge-assumption', 'borrow-field', 'extreme', 'first-principles']);
      const calls = (await baton.store.spend(id)).calls;
      expect(calls).toBe(10);
      const pilot = outcome.board.pilot;
      expect(pilot?.candidates).toBe(5);
      expect(pilot?.criteria.map((c) => c.criterion)).toEqual(['evidence', 'durable', 'sequenced', 'format']);
      const evidence = pilot?.criteria[0];
      expect(evidence?.scores).toHaveLength(5);
      expect(evidence?.scores.every((s) => typeof s.score === 'number' && s.reason.length > 0)).toBe(true);
      expect(evidence?.mean).toBeCloseTo((evidence?.scores.reduce((sum, s) => sum + (s.score ?? 0), 0) ?? 0) / 5, 1);
      expect(pilot?.criteria[3]?.by).toBe('check');
      // The cards are the pilot's candidates.
      expect(outcome.board.cards.filter((c) => c.roles.includes('pilot'))).toHaveLength(5);

      // Sharpening a criterion (redirect) goes on without a second pilot.
      const edited = join(dir, 'edited.md');
      writeFileSync(edited, readFileSync(join(dir, 'brief.md'), 'utf8').replace('Each step cites a signal', 'Each step cites a named metric'));
      const next = await baton.decide(id, { action: 'redirect', briefPath: edited, reason: 'evidence was too loose', run: { maxWaves: 2 } });
      expect(next.outcome.checkpoint?.reasons.some((r) => r.kind === 'pilot') ?? false).toBe(false);
      expect((await baton.store.listCandidates(id)).length).toBeGreaterThan(5);
    } finally {
      await baton.close();
    }
  });

  it('works through the CLI: exit 10 and the pilot on the board', async () => {
    const dir = tmp.make('baton-pilot-cli-');
    briefWithPilot(dir, 3);
    const run = await runCli(['run', 'brief.md', '--seed', '4'], { cwd: dir, env: { BATON_DB: join(dir, 'b.db'), HOME: dir } });
    expect(run.code).toBe(10);
    expect(run.stdout).toContain('pilot');
    expect(run.stdout).toContain('Pilot — how each criterion scored on 3 candidates');
    expect(run.stdout).toMatch(/evidence: mean \d/u);
    const json = await runCli(['board', run.stderr.match(/exploration (x[0-9a-z]+)/u)?.[1] ?? '', '--json'], { cwd: dir, env: { BATON_DB: join(dir, 'b.db'), HOME: dir } });
    expect(json.code).toBe(10);
    const parsed = JSON.parse(json.stdout) as { board: { pilot: { candidates: number } } };
    expect(parsed.board.pilot.candidates).toBe(3);
  });
});
