import type { Brief, Criterion, Lens } from '../../brief/schema.js';
import { lensKind } from './banks.js';
import type { LensKind } from './banks.js';
import { splitRehearsalText } from './header.js';
import type { RehearsalOrigin } from './header.js';
import { SENSITIVE_MARKERS } from './outliers.js';
import { hex6, signedUnit, unit } from './rng.js';
import { contentWords, criterionPhrase, estimateDraft } from './words.js';

/**
 * The rehearsal judge. Scores follow a simple, legible model so that the loop's behaviour can be
 * seen: each opening has a ceiling per criterion (`cap`), set by its lens (so lenses trade off
 * against each other) and a little by the opening's luck; each draft closes 45% of the remaining
 * gap to the ceiling (`1 − 0.55^draft`), so a path plateaus after three to five drafts.
 */

export interface JudgeAnswer {
  scores: Array<{ criterion: string; score: number; reason: string }>;
  constraints: Array<{ index: number; pass: boolean; reason: string }>;
  flags: Array<{ kind: 'sensitive' | 'unclear'; reason: string }>;
  critique: string;
}

export const CALIBRATION = {
  capMin: 5.5,
  capMax: 9.8,
  /** Share of the cap set by the lens × criterion pair; the rest is the opening's luck. */
  lensShare: 0.7,
  /** Added to (or taken from) the 0–1 cap position where a lens suits (or fights) a criterion. */
  affinity: 0.22,
  /** Each draft keeps this share of the remaining gap to the cap. */
  retained: 0.55,
  /** A combination's cap is the best of its origins minus this. */
  combinePenalty: 0.3,
  /** Noise tied to the opening and draft (shared by a near-duplicate) and to the exact text. */
  draftNoise: 0.3,
  textNoise: 0.1,
  /** Share of judged constraints an opening passes. */
  constraintPass: 0.9,
} as const;

/** Criteria some kinds of lens serve well (+) or badly (−), recognised by words in the criterion. */
const AFFINITIES: ReadonlyArray<{ cue: RegExp; strong: readonly LensKind[]; weak: readonly LensKind[] }> = [
  {
    cue: /original|surpris|fresh|novel|unexpected|bold|memorable|distinct/,
    strong: ['borrow', 'extreme', 'invert'],
    weak: ['audience', 'practical'],
  },
  {
    cue: /clear|simple|plain|concise|accessib|understand|readab|jargon/,
    strong: ['audience', 'practical'],
    weak: ['extreme', 'borrow', 'genre'],
  },
  {
    cue: /emotion|moving|feel|warm|heart|empath|tone|human/,
    strong: ['emotion', 'genre', 'texture'],
    weak: ['invert', 'practical'],
  },
  {
    cue: /practical|feasib|actionable|realistic|cost|concrete|budget|doable/,
    strong: ['practical', 'assumption', 'audience'],
    weak: ['extreme', 'genre', 'emotion'],
  },
  {
    cue: /honest|accurate|true|evidence|fair|rigor|rigour|sound/,
    strong: ['assumption', 'history'],
    weak: ['extreme', 'emotion'],
  },
];

function lensKindById(brief: Brief, lensId: string): LensKind {
  const lens: Lens | undefined = brief.lenses === 'auto' ? undefined : brief.lenses.find((l) => l.id === lensId);
  return lensKind(lens ?? { id: lensId });
}

/**
 * The ceiling an opening can reach on a criterion, in [5.5, 9.8].
 *
 * @example
 * capFor(brief, { lensId: 'invert', sig: '0a1b2c' }, brief.criteria[0]!) // → e.g. 8.4
 */
export function capFor(brief: Brief, origin: RehearsalOrigin, criterion: Criterion): number {
  const kind = lensKindById(brief, origin.lensId);
  const lensPart = unit('cap-lens', brief.question, origin.lensId, criterion.id);
  const luck = unit('cap-luck', origin.sig, criterion.id);
  let position = CALIBRATION.lensShare * lensPart + (1 - CALIBRATION.lensShare) * luck;
  const text = `${criterion.id} ${criterion.text ?? ''}`.toLowerCase();
  for (const { cue, strong, weak } of AFFINITIES) {
    if (!cue.test(text)) continue;
    if (strong.includes(kind)) position += CALIBRATION.affinity;
    if (weak.includes(kind)) position -= CALIBRATION.affinity;
  }
  position = Math.min(1, Math.max(0, position));
  return CALIBRATION.capMin + (CALIBRATION.capMax - CALIBRATION.capMin) * position;
}

export function judgedCriteria(brief: Brief): Criterion[] {
  return brief.criteria.filter((criterion) => criterion.text !== undefined);
}

interface Reading {
  lensId: string;
  draft: number;
  sig: string;
  origins: RehearsalOrigin[];
  combined: boolean;
}

/** What the judge reads off a text: its header, or estimates for a text another model wrote. */
function read(text: string): Reading {
  const { header, origins } = splitRehearsalText(text);
  if (!header) {
    const sig = hex6('foreign', text);
    const lensId = `unknown-${hex6('foreign-lens', text)}`;
    return { lensId, draft: estimateDraft(text), sig, origins: [{ lensId, sig }], combined: false };
  }
  return {
    lensId: header.lensId,
    draft: header.draft,
    sig: header.sig,
    origins: origins ?? [{ lensId: header.lensId, sig: header.sig }],
    combined: origins !== null,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The score of a text on one criterion, 0–10 with one decimal. */
export function scoreFor(brief: Brief, text: string, criterion: Criterion): number {
  const reading = read(text);
  const caps = reading.origins.map((origin) => capFor(brief, origin, criterion));
  const cap = reading.combined ? Math.max(...caps) - CALIBRATION.combinePenalty : (caps[0] as number);
  const progress = 1 - CALIBRATION.retained ** Math.max(1, reading.draft);
  const noise =
    CALIBRATION.draftNoise * signedUnit('noise', reading.sig, reading.draft, criterion.id) +
    CALIBRATION.textNoise * signedUnit('noise-text', text, criterion.id);
  return round1(Math.min(10, Math.max(0, cap * progress + noise)));
}

function scoreReason(criterion: Criterion, score: number): string {
  const phrase = criterionPhrase(criterion.text ?? criterion.id);
  if (score >= 8) return `Strong on ${criterion.id}: the text clearly delivers ${phrase}.`;
  if (score >= 6.5) return `Mostly there on ${criterion.id}: ${phrase} is met in places but not throughout.`;
  if (score >= 4.5) return `Partial on ${criterion.id}: ${phrase} shows in only a few sentences.`;
  return `Weak on ${criterion.id}: the text does not yet deliver ${phrase}.`;
}

const CONSTRAINT_FAILURES = [
  'one passage in the middle works against it',
  'the ending drifts away from it',
  'the opening paragraph ignores it',
  'two sentences contradict it outright',
];

const GENERIC_WORDS = new Set(
  (
    'good nice interesting great better best quality fine cool excellent solid strong awesome amazing okay decent ' +
    'effective compelling engaging appealing impressive wonderful lovely really overall stuff things thing work ' +
    'works working well done right proper enough high level'
  ).split(' '),
);

/** Why a criterion is too vague to judge consistently, or null when it is clear enough. */
export function vagueness(criterion: Criterion): string | null {
  if (criterion.text === undefined) return null;
  const count = criterion.text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
  if (count < 4) return `criterion ${criterion.id} (“${criterion.text}”) is too short to judge consistently; say what it looks like when met`;
  const content = contentWords(criterion.text);
  if (content.every((word) => GENERIC_WORDS.has(word))) {
    return `criterion ${criterion.id} (“${criterion.text}”) uses only generic words; judges may read it differently`;
  }
  return null;
}

const ADVICE = [
  'add one concrete example that shows it',
  'cut the sentences that do not serve it',
  'make it the spine of the second paragraph',
  'say it plainly before elaborating',
  'give it a sharper image',
];

/**
 * Judges a text against a brief.
 *
 * @example
 * judgeText(brief, '[rehearsal · lens invert · draft 2 · 0a1b2c]\n\n…').scores[0]
 * // → { criterion: 'surprising', score: 6.9, reason: 'Mostly there on surprising: …' }
 */
export function judgeText(brief: Brief, text: string): JudgeAnswer {
  const reading = read(text);
  const criteria = judgedCriteria(brief);
  const scores = criteria.map((criterion) => {
    const score = scoreFor(brief, text, criterion);
    return { criterion: criterion.id, score, reason: scoreReason(criterion, score) };
  });

  const constraints: JudgeAnswer['constraints'] = [];
  brief.constraints.forEach((constraint, index) => {
    if (constraint.kind !== 'judged') return;
    const read = readConstraint(constraint.text, text);
    const pass = read?.pass ?? unit('constraint', reading.sig, constraint.text) < CALIBRATION.constraintPass;
    const why = read?.why ?? CONSTRAINT_FAILURES[Math.floor(unit('constraint-why', reading.sig, index) * CONSTRAINT_FAILURES.length)];
    constraints.push({
      index,
      pass,
      reason: pass ? `Holds to “${constraint.text}” throughout.` : `Breaks “${constraint.text}”: ${why}.`,
    });
  });

  const flags: JudgeAnswer['flags'] = [];
  const sensitive = SENSITIVE_MARKERS.exec(text);
  if (sensitive) {
    flags.push({
      kind: 'sensitive',
      reason: `The text includes private personal details of an identifiable person (“${sensitive[0]}”), published without consent.`,
    });
  }
  for (const criterion of criteria) {
    const vague = vagueness(criterion);
    if (vague) flags.push({ kind: 'unclear', reason: `The ${vague}.` });
  }

  return { scores, constraints, flags, critique: critique(criteria, scores, constraints, flags, reading) };
}

function critique(
  criteria: readonly Criterion[],
  scores: JudgeAnswer['scores'],
  constraints: JudgeAnswer['constraints'],
  flags: JudgeAnswer['flags'],
  reading: Reading,
): string {
  const parts: string[] = [];
  const weakest = [...scores].sort((a, b) => a.score - b.score).slice(0, 2);
  if (weakest.length > 0) {
    const named = weakest.map((s) => `${s.criterion} (${s.score})`).join(' and ');
    parts.push(`Weakest: ${named}.`);
    const first = weakest[0];
    const criterion = criteria.find((c) => c.id === first?.criterion);
    if (first && criterion) {
      const advice = ADVICE[Math.floor(unit('advice', reading.sig, reading.draft, first.criterion) * ADVICE.length)];
      parts.push(`To improve ${first.criterion}, ${advice} (${criterionPhrase(criterion.text ?? criterion.id)}).`);
    }
  }
  for (const failed of constraints.filter((c) => !c.pass)) parts.push(`Fix the constraint: ${failed.reason}`);
  if (flags.some((f) => f.kind === 'sensitive')) {
    parts.push('Remove the passage with private, sensitive details about a real person before going further.');
  }
  if (reading.draft >= 4) parts.push('Further polishing of this path is likely to add little; a different angle may help more.');
  return parts.join(' ');
}

export interface CompareAnswer {
  winner: 'first' | 'second' | 'tie';
  reason: string;
}

/**
 * Compares two texts as the rehearsal judge sees them: the weighted mean of its criterion scores,
 * the higher winning (within 0.1 points: a tie). It has no position or length bias of its own:
 * the same pair swapped gives the mirrored answer.
 *
 * @example
 * compareTexts(brief, a, b); // → { winner: 'second', reason: 'The second scores 7.4 on the criteria, the first 6.1.' }
 */
export function compareTexts(brief: Brief, first: string, second: string): CompareAnswer {
  const criteria = judgedCriteria(brief);
  const mean = (text: string): number => {
    let sum = 0;
    let weights = 0;
    for (const criterion of criteria) {
      sum += criterion.weight * scoreFor(brief, text, criterion);
      weights += criterion.weight;
    }
    return weights === 0 ? 0 : sum / weights;
  };
  const a = mean(first);
  const b = mean(second);
  const shown = (value: number): string => value.toFixed(1);
  if (Math.abs(a - b) < 0.1) return { winner: 'tie', reason: `Both score about ${shown(a)} on the criteria.` };
  return a > b
    ? { winner: 'first', reason: `The first scores ${shown(a)} on the criteria, the second ${shown(b)}.` }
    : { winner: 'second', reason: `The second scores ${shown(b)} on the criteria, the first ${shown(a)}.` };
}

/** Addresses as people write them: a number and a street. */
const ADDRESS = /\b\d{1,4} [A-Z][a-z]+ (?:Road|Lane|Street|Close|Avenue|Way|Drive|Place|Square|Court)\b/u;
/** Medical details. */
const MEDICAL = /\b(?:diagnos[a-z]*|psychiatric|medical (?:file|record|history)|hiv-positive|overdoses?|prescriptions?|medication|asthma|bipolar)\b/iu;
/** A first and last name, as invented people in the rehearsal's sensitive passages have. */
const PERSON = /\b[A-Z][a-z]+ (?:[A-Z][a-z]+)\b(?=,| of | describes| a )/u;

/**
 * Judged constraints the rehearsal judge can check against the text itself: privacy ("no real
 * person, address or medical detail") and quoted words that must not appear. Other constraints
 * it cannot read, and it answers for them as before (seeded). Null when it cannot tell.
 */
export function readConstraint(constraint: string, text: string): { pass: boolean; why: string } | null {
  const rule = constraint.toLowerCase();
  const checks: Array<{ applies: boolean; found: RegExpExecArray | null; what: string }> = [
    { applies: /\baddress/u.test(rule), found: ADDRESS.exec(text), what: 'an address' },
    { applies: /medical|health|diagnos/u.test(rule), found: MEDICAL.exec(text), what: 'a medical detail' },
    { applies: /real (?:person|people|name)|named (?:person|people)|private|personal|identif/u.test(rule), found: PERSON.exec(text) ?? SENSITIVE_MARKERS.exec(text), what: 'a real person’s details' },
  ];
  const negative = /\b(?:no|not|never|without|avoid|must not|don’t|don't)\b/u.test(rule);
  const quoted = negative ? [...constraint.matchAll(/[“"']([^”"']{2,60})[”"']/gu)].map((m) => (m[1] as string).toLowerCase()) : [];
  const applicable = checks.filter((check) => check.applies);
  if (!negative || (applicable.length === 0 && quoted.length === 0)) return null;
  for (const check of applicable) if (check.found) return { pass: false, why: `it includes ${check.what} (“${check.found[0]}”)` };
  const lower = text.toLowerCase();
  for (const term of quoted) if (lower.includes(term)) return { pass: false, why: `it says “${term}”` };
  return { pass: true, why: '' };
}
