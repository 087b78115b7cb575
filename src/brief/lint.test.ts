import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { LintFinding } from './lint.js';
import { hasErrors, lintBrief } from './lint.js';
import { parseBrief, safeParseBrief } from './parse.js';

/** A brief from front matter lines; the first line given is line 2 of the file. */
function source(lines: readonly string[], body = 'The keeper is called Ada.'): string {
  return ['---', ...lines, '---', body, ''].join('\n');
}

function lint(lines: readonly string[], body?: string): LintFinding[] {
  const text = source(lines, body);
  return lintBrief(text, parseBrief(text, { file: 'brief.md' }), { file: 'brief.md' });
}

function only(findings: readonly LintFinding[], code: string): LintFinding {
  const matching = findings.filter((finding) => finding.code === code);
  expect(matching, `${code} in ${JSON.stringify(findings.map((f) => f.code))}`).toHaveLength(1);
  return matching[0] as LintFinding;
}

const INTENT = 'intent: Help children who rarely read finish a story on their own, and ask for another.';
const QUESTION = 'question: What story about a lighthouse keeper would a nine-year-old still retell a week later?';
const CONSTRAINTS = ['constraints:', '  - max_words: 600'];
const CRITERIA = [
  'criteria:',
  '  - Ends on an image a child could draw, not on a moral.',
  '  - text: Every line of dialogue sounds like something a child would say aloud.',
  '    weight: 3',
];
const BUDGET = ['budget:', '  calls: 60', '  tokens: 200000'];
const CLEAN = [INTENT, QUESTION, ...CONSTRAINTS, ...CRITERIA, ...BUDGET];

describe('lint', () => {
  it('finds nothing in a clean brief', () => {
    expect(lint(CLEAN)).toEqual([]);
  });

  describe('command-not-question', () => {
    it('turns a command into a question built from its words', () => {
      const finding = only(lint([INTENT, 'question: Write a story about a lighthouse keeper', ...CONSTRAINTS, ...CRITERIA]), 'command-not-question');
      expect(finding).toMatchObject({
        severity: 'warning',
        location: { file: 'brief.md', line: 3, column: 11, field: 'question' },
      });
      expect(finding.suggestion).toBe(
        'What story about a lighthouse keeper would children still remember a week later, and why?',
      );
    });

    it('uses a placeholder when the brief names no audience', () => {
      const finding = only(lint(['question: Write a story about a lighthouse keeper', ...CONSTRAINTS, ...CRITERIA]), 'command-not-question');
      expect(finding.suggestion).toBe(
        'What story about a lighthouse keeper would <audience> still remember a week later, and why?',
      );
    });

    it('sees through polite forms', () => {
      const finding = only(lint([INTENT, 'question: Could you please explain how tides work?', ...CONSTRAINTS, ...CRITERIA]), 'command-not-question');
      expect(finding.message).toContain('explain');
      expect(finding.suggestion).toContain('how tides work');
      expect(finding.suggestion).toMatch(/\?$/);
    });

    it('turns a statement into a question', () => {
      const finding = only(lint([INTENT, 'question: The lighthouse keeper story bores children', ...CONSTRAINTS, ...CRITERIA]), 'command-not-question');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 3 } });
      expect(finding.suggestion).toBe(
        'Given that the lighthouse keeper story bores children, what should change for children, and why?',
      );
    });

    it('only notes a question that lacks its question mark', () => {
      const finding = only(lint([INTENT, 'question: What story would a lighthouse keeper tell', ...CONSTRAINTS, ...CRITERIA]), 'command-not-question');
      expect(finding).toMatchObject({ severity: 'info', suggestion: 'What story would a lighthouse keeper tell?' });
    });
  });

  describe('no-intent', () => {
    it('asks for an intent when there is none, at the top of the front matter', () => {
      const finding = only(lint([QUESTION, ...CONSTRAINTS, ...CRITERIA]), 'no-intent');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 2, field: 'intent' } });
      expect(finding.suggestion).toMatch(/^intent: /);
      expect(finding.suggestion).toContain('What story about a lighthouse keeper');
    });

    it('asks for more than a few words', () => {
      const finding = only(lint(['intent: Fun for kids', QUESTION, ...CONSTRAINTS, ...CRITERIA]), 'no-intent');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 2, column: 9, field: 'intent' } });
      expect(finding.message).toContain('3 words');
      expect(finding.suggestion).toBe('intent: Fun for kids — because <what changes when it is done well>.');
    });
  });

  describe('no-audience', () => {
    it('asks who it is for when nobody is named anywhere', () => {
      const findings = lint(
        ['intent: Keep the old lighthouse legends alive in a form worth passing on.', 'question: What lighthouse legend deserves a retelling?', ...CONSTRAINTS, ...CRITERIA],
        'Legends of the coast.',
      );
      const finding = only(findings, 'no-audience');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 2, field: 'intent' } });
      expect(finding.suggestion).toContain('Keep the old lighthouse legends alive');
      expect(finding.suggestion).toContain('for <who exactly');
    });

    it('counts an audience named in the context', () => {
      const findings = lint(
        ['intent: Keep the old lighthouse legends alive in a form worth passing on.', 'question: What lighthouse legend deserves a retelling?', ...CONSTRAINTS, ...CRITERIA],
        'It will be read aloud to visitors on the harbour tour.',
      );
      expect(findings.map((f) => f.code)).not.toContain('no-audience');
    });
  });

  describe('generic-wording', () => {
    it('flags a generic word in the question and says what it could mean', () => {
      const finding = only(lint([INTENT, 'question: What is the best story about a lighthouse keeper?', ...CONSTRAINTS, ...CRITERIA]), 'generic-wording');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 3, field: 'question' } });
      expect(finding.message).toContain('“best”');
      expect(finding.suggestion).toContain('What is the story about a lighthouse keeper');
      expect(finding.suggestion).toContain('where “best” means');
    });

    it('flags a generic criterion and rewrites it without the generic word', () => {
      const finding = only(
        lint([INTENT, QUESTION, ...CONSTRAINTS, 'criteria:', '  - A really engaging opening about the keeper and the storm'], ''),
        'generic-wording',
      );
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 7, column: 5, field: 'criteria.0' } });
      expect(finding.suggestion).toBe(
        'An opening about the keeper and the storm: a reader who starts the first line wants to read the next',
      );
    });

    it('points at `text` of a criterion written as a mapping', () => {
      const finding = only(
        lint([INTENT, QUESTION, ...CONSTRAINTS, 'criteria:', '  - text: A great ending for the keeper and the ship', '    weight: 2']),
        'generic-wording',
      );
      expect(finding.location).toMatchObject({ line: 7, column: 11, field: 'criteria.0.text' });
      expect(finding.suggestion).toContain('ending for the keeper and the ship');
    });

    it('accepts a generic word made specific', () => {
      const findings = lint([INTENT, QUESTION, ...CONSTRAINTS, 'criteria:', '  - An engaging opening, so that a child reads the second page unprompted']);
      expect(findings).toEqual([]);
    });
  });

  describe('untestable-criterion', () => {
    it('flags a criterion a judge cannot observe, and proposes an observable', () => {
      const finding = only(lint([INTENT, QUESTION, ...CONSTRAINTS, 'criteria:', '  - Funny', '  - The keeper lights the lamp in the last scene']), 'untestable-criterion');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 7, column: 5, field: 'criteria.0' } });
      expect(finding.suggestion).toBe('Funny: at least one line children would repeat to a friend');
    });

    it('flags a criterion made only of vague adjectives', () => {
      const findings = lint([INTENT, QUESTION, ...CONSTRAINTS, 'criteria:', '  - Ends with the keeper at the lamp', '  - Clear, concise and memorable']);
      const finding = only(findings, 'untestable-criterion');
      expect(finding.location).toMatchObject({ line: 8, field: 'criteria.1' });
      expect(finding.suggestion).toMatch(/^Clear, concise and memorable: /);
    });
  });

  describe('contradictions', () => {
    it('errors on word limits no text can meet, across criteria and constraints', () => {
      const findings = lint([
        INTENT,
        QUESTION,
        'constraints:',
        '  - max_words: 300',
        'criteria:',
        '  - Ends on an image a child could draw, not on a moral.',
        '  - check: { min_words: 500 }',
      ]);
      const finding = only(findings, 'contradictory-word-limits');
      expect(finding).toMatchObject({ severity: 'error', location: { line: 8, field: 'criteria.1.check.min_words' } });
      expect(finding.message).toContain('min_words 500');
      expect(finding.message).toContain('max_words 300');
      expect(finding.suggestion).toContain('500');
      expect(finding.suggestion).toContain('300');
      expect(hasErrors(findings)).toBe(true);
    });

    it('errors on text that must and must not appear', () => {
      const findings = lint([
        INTENT,
        QUESTION,
        'constraints:',
        '  - must_include: [lighthouse keeper]',
        '  - must_not_include: keeper',
        ...CRITERIA,
      ]);
      const finding = only(findings, 'contradictory-includes');
      expect(finding).toMatchObject({ severity: 'error', location: { line: 6, field: 'constraints.1.must_not_include' } });
      expect(finding.suggestion).toBe('remove “keeper” from must_not_include, or drop “lighthouse keeper” from must_include');
    });

    it('warns on judged texts that pull in opposite directions', () => {
      const findings = lint([
        INTENT,
        QUESTION,
        'constraints:',
        '  - Serious in tone throughout the keeper’s story.',
        'criteria:',
        '  - Ends on an image a child could draw, not on a moral.',
        '  - At least one humorous exchange between the keeper and the gull.',
      ]);
      const finding = only(findings, 'contradictory-wording');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 8, field: 'criteria.1' } });
      expect(finding.message).toContain('“serious” (constraints.0)');
      expect(finding.message).toContain('“humorous” (criteria.1)');
      expect(finding.suggestion).toContain('Serious in tone throughout the keeper’s story.');
    });

    it('does not mistake a negation for a demand', () => {
      const findings = lint([
        INTENT,
        QUESTION,
        'constraints:',
        '  - Short enough to read aloud in five minutes.',
        'criteria:',
        '  - Ends on an image a child could draw, not on a moral.',
        '  - Never too long for one sitting, for any child at the table.',
      ]);
      expect(findings.map((f) => f.code)).not.toContain('contradictory-wording');
    });
  });

  describe('no-constraints', () => {
    it('notes a brief without hard limits', () => {
      const finding = only(lint([INTENT, 'question: Write a story about a lighthouse keeper', ...CRITERIA]), 'no-constraints');
      expect(finding).toMatchObject({ severity: 'info', location: { line: 2, field: 'constraints' } });
      expect(finding.suggestion).toContain('max_words');
      expect(finding.suggestion).toContain('a story about a lighthouse keeper');
    });
  });

  describe('unweighted-criteria', () => {
    it('asks which of many equal criteria matter most', () => {
      const criteria = [
        'criteria:',
        '  - Ends on an image a child could draw, not on a moral.',
        '  - The keeper solves one problem with a tool from the lighthouse.',
        '  - Names the lighthouse and the sea it watches over.',
        '  - Has exactly one storm, and it arrives in the middle.',
        '  - The gull speaks once, at the turning point.',
        '  - Each scene can be read aloud in under a minute.',
      ];
      const finding = only(lint([INTENT, QUESTION, ...CONSTRAINTS, ...criteria]), 'unweighted-criteria');
      expect(finding).toMatchObject({ severity: 'info', location: { line: 6, column: 1, field: 'criteria' } });
      expect(finding.suggestion).toContain('weight: 3');
      expect(finding.suggestion).toContain('Ends on an image a child could draw');
    });
  });

  describe('budget-too-small', () => {
    it('warns when the calls cannot cover the lenses asked for', () => {
      const findings = lint([INTENT, QUESTION, ...CONSTRAINTS, ...CRITERIA, 'lenses: [invert, minimal, extreme]', 'budget:', '  calls: 10']);
      const finding = only(findings, 'budget-too-small');
      expect(finding).toMatchObject({ severity: 'warning', location: { line: 12, column: 10, field: 'budget.calls' } });
      expect(finding.message).toContain('3 × 6 = 18');
      expect(finding.suggestion).toBe('calls: 18 (or fewer lenses: 1 with 10 calls)');
    });

    it('counts four lenses for auto and checks tokens too', () => {
      const findings = lint([INTENT, QUESTION, ...CONSTRAINTS, ...CRITERIA, 'budget:', '  calls: 23', '  tokens: 30000']);
      const [calls, tokens] = findings.filter((f) => f.code === 'budget-too-small');
      expect(calls).toMatchObject({ location: { line: 11, field: 'budget.calls' }, suggestion: expect.stringContaining('calls: 24') });
      expect(tokens).toMatchObject({ location: { line: 12, field: 'budget.tokens' }, suggestion: 'tokens: 36000' });
    });
  });

  it('sorts findings by line and tells errors from warnings', () => {
    const findings = lint([
      'question: Write a good story about a lighthouse keeper',
      'constraints:',
      '  - max_words: 100',
      '  - min_words: 200',
      'criteria:',
      '  - Funny',
    ]);
    const lines = findings.map((f) => f.location.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(hasErrors(findings)).toBe(true);
    expect(hasErrors(findings.filter((f) => f.severity !== 'error'))).toBe(false);
  });

  it('never throws and locates every finding inside the file, whatever the brief says (seeded)', () => {
    const words = fc.constantFrom(
      'write', 'a', 'story', 'for', 'children', 'good', 'short', 'long', 'formal', 'casual', 'not', 'too', 'users',
      'What', 'why', 'engaging', 'the', 'brief', 'keeper', 'best', 'Can', 'you', 'please', '?', 'high-quality', ':',
    );
    const sentence = fc.array(words, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(' '));
    const check = fc.record(
      { min_words: fc.nat(50), max_words: fc.nat(50), must_include: sentence, must_not_include: sentence },
      { requiredKeys: [] },
    ).filter((value) => Object.keys(value).length > 0);
    const frontMatter = fc.record(
      {
        intent: sentence,
        question: sentence,
        constraints: fc.array(fc.oneof(sentence, check), { maxLength: 4 }),
        criteria: fc.array(
          fc.oneof(sentence, fc.record({ text: sentence, weight: fc.integer({ min: 1, max: 5 }) }), fc.record({ check })),
          { minLength: 1, maxLength: 8 },
        ),
        budget: fc.record({ calls: fc.integer({ min: 1, max: 40 }), tokens: fc.integer({ min: 1, max: 50000 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: ['question', 'criteria'] },
    );
    fc.assert(
      fc.property(frontMatter, sentence, (data, body) => {
        const text = `---\n${stringify(data)}---\n${body}\n`;
        const parsed = safeParseBrief(text);
        if (!parsed.ok) return;
        const lines = text.split('\n').length;
        for (const finding of lintBrief(text, parsed.brief)) {
          expect(finding.location.line).toBeGreaterThanOrEqual(1);
          expect(finding.location.line).toBeLessThanOrEqual(lines);
          expect(finding.suggestion.length).toBeGreaterThan(0);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('audience detection', () => {
  it('hears an audience named by what they do ("commuters who read…")', async () => {
    const { findAudience } = await import('./lint-context.js');
    expect(findAudience(['Commuters who read our newsletter should finish it in one stop.'])).toBe('Commuters who…');
    expect(findAudience(['This is the thing that matters.'])).toBeUndefined();
  });
});
