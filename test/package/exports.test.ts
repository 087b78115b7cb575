import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The package as a consumer sees it: `@baton-workbench/baton` and `@baton-workbench/baton/test` resolve (through the package's own
 * `exports`) to the built library, and the rehearsal model drives a real exploration.
 */
describe('package exports', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('exposes the rehearsal model, example briefs and fixtures from @baton-workbench/baton/test', async () => {
    const testKit = await import('@baton-workbench/baton/test');
    const model = testKit.createRehearsalModel({ seed: 3 });
    expect(model.info).toMatchObject({ rehearsal: true, label: 'rehearsal' });
    const brief = testKit.fixtureBrief();
    const lens = testKit.fixtureLens;
    const first = await model.complete({ task: { kind: 'open', brief, lens }, messages: [], seed: 3 });
    const again = await model.complete({ task: { kind: 'open', brief, lens }, messages: [], seed: 3 });
    expect(first.text).toBe(again.text);
    expect(first.text).toMatch(/^\[rehearsal/);
    expect(Object.keys(testKit.EXAMPLE_BRIEFS).sort()).toEqual(['engineering', 'product', 'story']);
  });

  it('runs an exploration through the library API to a checkpoint and an accepted export', async () => {
    const { Baton } = await import('@baton-workbench/baton');
    const { EXAMPLE_BRIEFS } = await import('@baton-workbench/baton/test');
    const dir = mkdtempSync(join(tmpdir(), 'baton-pkg-'));
    dirs.push(dir);
    const baton = Baton.open({ db: join(dir, 'baton.db') });
    try {
      const id = await baton.start(EXAMPLE_BRIEFS.product, { seed: 11 });
      const outcome = await baton.run(id);
      expect(outcome.status).toBe('awaiting');
      const best = outcome.board.cards[0]?.candidateId;
      if (!best) throw new Error('the board has no card');
      const { outcome: accepted } = await baton.decide(id, { action: 'accept', candidateIds: [best], reason: 'three steps, named' });
      expect(accepted.status).toBe('accepted');
      const markdown = await baton.export(id, 'md');
      expect(markdown).toContain('three steps, named');
      expect(markdown).toContain('Rehearsal');
    } finally {
      await baton.close();
    }
  });
});
