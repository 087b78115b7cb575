import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Baton } from '../baton.js';
import { makeBrief } from '../../test/models/fixtures.js';
import { briefChanges } from './brief-history.js';
import { markdownInline } from '../util/sanitize/markdown.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'lighthouse-story.md'), 'utf8');

describe('the brief in the export', () => {
  it('says what a redirect changed, field by field', () => {
    const before = makeBrief();
    const after = makeBrief({
      question: 'How could the library win back teenage readers before September?',
      constraints: [...before.constraints, { kind: 'judged', text: 'No real person, address or medical detail.' }],
      criteria: before.criteria.filter((c) => c.id !== 'warm').map((c) => (c.id === 'clear' ? { ...c, weight: 3 } : c)),
    });
    const changes = briefChanges(before, after);
    expect(changes).toContain('question: “How could the small town library win back teenage readers this summer?” → “How could the library win back teenage readers before September?”');
    expect(changes).toContain('constraint added: “No real person, address or medical detail.”');
    expect(changes).toContain('criterion `warm` removed');
    expect(changes.some((c) => c.startsWith('criterion `clear`:') && c.endsWith('(weight 3)'))).toBe(true);
  });

  it('keeps brief text from reading as HTML or starting a block of its own (the one Markdown sanitizer)', () => {
    expect(markdownInline('<img src=x onerror=alert(1)> ![x](http://evil.example/?q=1)\n# Accepted')).toBe('&lt;img src=x onerror=alert(1)> !\\[x](http://evil.example/?q=1) # Accepted');
  });

  it('exports the constraints and every version of the brief with what its redirect changed', async () => {
    const baton = Baton.open({ db: ':memory:' });
    try {
      const id = await baton.startFromSource(EXAMPLE, { seed: 2 });
      await baton.run(id);
      const edited = EXAMPLE.replace('  - No violence against animals, and no character dies on the page.', '  - No violence against animals, and no character dies on the page.\n  - No real person, address or medical detail.');
      await baton.decide(id, { action: 'redirect', briefSource: edited, reason: 'the anthology is read in schools', run: false });
      const markdown = await baton.export(id, 'md');
      expect(markdown).toContain('### Constraints');
      expect(markdown).toContain('- No real person, address or medical detail. (judged)');
      expect(markdown).toContain('### Versions of the brief');
      expect(markdown).toMatch(/\*\*Version 2\*\*[^\n]*:\n {2}- constraint added: “No real person, address or medical detail\.”/u);
      const json = JSON.parse(await baton.export(id, 'json')) as { briefVersions: Array<{ version: number; changes: string[] }>; constraints: Array<{ text: string }> };
      expect(json.briefVersions.map((v) => v.version)).toEqual([1, 2]);
      expect(json.constraints.map((c) => c.text)).toContain('No real person, address or medical detail.');
    } finally {
      await baton.close();
    }
  });
});
