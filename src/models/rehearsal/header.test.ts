import { describe, expect, it } from 'vitest';
import { formatOrigins, formatRehearsalHeader, parseRehearsalHeader, splitRehearsalText } from './header.js';
import { createRng, hex6 } from './rng.js';

describe('rehearsal header', () => {
  it('round-trips a header and a combination line', () => {
    const header = { lensId: 'borrow-field', draft: 3, sig: '0a1b2c' };
    const origins = [
      { lensId: 'invert', sig: 'ffffff' },
      { lensId: 'extreme', sig: '000001' },
    ];
    const text = `${formatRehearsalHeader(header)}\n${formatOrigins(origins)}\n\nBody text.\n`;
    expect(text.startsWith('[rehearsal · lens borrow-field · draft 3 · 0a1b2c]\n')).toBe(true);
    expect(parseRehearsalHeader(text)).toEqual(header);
    expect(splitRehearsalText(text)).toEqual({ header, origins, body: 'Body text.' });
  });

  it('reads a text without a header as a plain body', () => {
    expect(splitRehearsalText('  Just prose.  ')).toEqual({ header: null, origins: null, body: 'Just prose.' });
    expect(parseRehearsalHeader('[rehearsal · lens x · draft two · 0a1b2c]')).toBeNull();
    expect(parseRehearsalHeader('intro\n[rehearsal · lens x · draft 2 · 0a1b2c]')).toBeNull();
  });
});

describe('rehearsal randomness', () => {
  it('depends only on its inputs (pinned, so it is the same in every process)', () => {
    expect(hex6('sig', 1, 'question')).toBe(hex6('sig', 1, 'question'));
    expect(hex6('sig', 1, 'question')).toMatchInlineSnapshot(`"e27c63"`);
    const a = createRng('x', 1);
    const b = createRng('x', 1);
    const drawn = Array.from({ length: 5 }, () => a.int(1000));
    expect(Array.from({ length: 5 }, () => b.int(1000))).toEqual(drawn);
    expect(drawn).toMatchInlineSnapshot(`
      [
        943,
        110,
        28,
        992,
        771,
      ]
    `);
  });
});
