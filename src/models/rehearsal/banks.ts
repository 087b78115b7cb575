import type { Lens } from '../../brief/schema.js';
import { hash32 } from './rng.js';

/**
 * Phrase banks: what each kind of lens sounds like. Texts of different lenses draw on different
 * banks, so they differ clearly in vocabulary (and so in embedding space), as real candidates
 * explored through different framings would.
 *
 * Slots in templates: {t} the brief's topic, {k} {k2} words from the brief, {w} {w2} words of the
 * bank, {f} the field a borrow lens borrows from, {c} a criterion being worked on.
 */

export const LENS_KINDS = [
  'assumption',
  'genre',
  'emotion',
  'invert',
  'audience',
  'borrow',
  'extreme',
  'texture',
  'practical',
  'history',
] as const;
export type LensKind = (typeof LENS_KINDS)[number];

export interface Bank {
  kind: LensKind;
  words: readonly string[];
  sentences: readonly string[];
  /** Sentences that work on a criterion during a deepening. */
  focus: readonly string[];
}

const CUES: ReadonlyArray<readonly [LensKind, RegExp]> = [
  ['assumption', /assum|premise|challenge|taken for granted|first principles/],
  ['genre', /genre|\bform\b|format|medium/],
  ['emotion', /emotion|\barc\b|feeling|mood/],
  ['invert', /invert|inversion|opposite|revers|upside|\bflip/],
  ['audience', /audience|reader|listener|who it is for/],
  ['borrow', /borrow|another field|analog|other domain|discipline/],
  ['extreme', /extreme|push it|radical|exaggerat|to the limit/],
  ['practical', /minimal|smallest|practical|feasib/],
];

const GENERIC_KINDS: readonly LensKind[] = ['texture', 'practical', 'history'];

/**
 * Which bank a lens speaks with: the built-in framings are recognised by their id, name or text;
 * any other lens gets one of the generic banks, chosen by its id.
 */
export function lensKind(lens: Pick<Lens, 'id'> & Partial<Pick<Lens, 'name' | 'text'>>): LensKind {
  for (const source of [lens.id, lens.name ?? '', lens.text ?? '']) {
    const lower = source.toLowerCase().replace(/[-_]/g, ' ');
    for (const [kind, cue] of CUES) if (cue.test(lower)) return kind;
  }
  return GENERIC_KINDS[hash32('generic-kind', lens.id) % GENERIC_KINDS.length] as LensKind;
}

export const BANKS: Record<LensKind, Bank> = {
  assumption: {
    kind: 'assumption',
    words: ['premise', 'default', 'habit', 'belief', 'shortcut', 'convention', 'blind spot', 'given', 'rule of thumb'],
    sentences: [
      'Everyone working on {t} assumes the {k} has to come first, and that premise deserves a hard look.',
      'The unexamined belief here is that the {k} and the {k2} pull in the same direction; they often do not.',
      'If we drop the {w} that the {k} needs more polish, a simpler and sharper version appears.',
      'Most drafts of {t} inherit a convention nobody chose: start with the {k}, end with the lesson.',
      'Ask who benefits from the usual {w}, and the {k2} starts to look like a habit rather than a need.',
      'The taken-for-granted rule is that people want more of the {k}; the evidence suggests they want less friction.',
      'Question the {w2} and the whole shape of {t} shifts: the {k} becomes optional, the {k2} essential.',
      'A premise that survives scrutiny is stronger for it, so this draft names its {w} about the {k} out loud.',
      'The blind spot is treating the shape of the {k2} as fixed when it is a choice someone made years ago.',
      'Strip away the default framing and what remains of {t} is a smaller, truer claim.',
      'Every shortcut about the {k} saves time once and costs attention forever after.',
      'This version keeps only the beliefs about the {k} that it can defend in a sentence.',
    ],
    focus: [
      'On {c}, this draft tests its own premise instead of leaning on the usual {w}.',
      'For {c}, the argument now names the assumption about the {k} and shows what replaces it.',
    ],
  },
  genre: {
    kind: 'genre',
    words: ['fable', 'field guide', 'ballad', 'letter', 'recipe', 'stage play', 'folk tale', 'diary', 'radio play', 'postcard'],
    sentences: [
      'Told as a {w}, {t} gains a narrator who can linger on the {k} and skip the rest.',
      'The first scene opens on the {k}, lit like a stage set, before the chorus names the {k2}.',
      'Written as a field guide, each entry describes one side of the {k} and where to find it.',
      'A fable needs a moral, and this one is plain: the {k2} outlasts the {k}.',
      'The letter form lets the writer address the {k} directly, as an old friend would.',
      'In the second chapter the narrator returns, and the {k} is seen from the other side of the room.',
      'Like a recipe, the piece lists its ingredients first: a measure of the {k}, a pinch of the {k2}, patience, and a little salt.',
      'The ballad repeats its refrain after every verse, and each time the {k} means something new.',
      'As a postcard, {t} has to fit in a few lines, so every word about the {k} must earn its place.',
      'The stage directions are spare: a table, a lamp, the {k2} waiting in the wings.',
      'Genre is a promise to the reader, and this {w} about the {k} keeps it through the final scene.',
      'The epilogue steps out of the story and speaks about {t} in the present tense.',
    ],
    focus: [
      'On {c}, the {w} form now does more of the work: each scene turns on the {k}.',
      'For {c}, the narrator steps forward in the middle chapter and makes the {k2} unmistakable.',
    ],
  },
  emotion: {
    kind: 'emotion',
    words: ['longing', 'relief', 'dread', 'tenderness', 'hope', 'unease', 'warmth', 'quiet pride', 'homesickness'],
    sentences: [
      'It begins in unease: the {k} is not yet what anyone hoped, and the silence in the room is heavy.',
      'Slowly the {w} gives way to something warmer, as the {k2} starts to feel possible.',
      'There is a moment of dread halfway through, when the {k} seems lost for good.',
      'Then relief arrives for the {k2}, not loudly, but like a window opened in a stuffy room.',
      'The tenderness of {t} is in its small gestures: a hand on the {k}, a name remembered.',
      'Longing drives the middle section: everyone remembers the {k2} of earlier years and wants that back.',
      'By the end the feeling about the {k} is quiet pride, the kind that does not need to announce itself.',
      'The emotional arc rises, dips, and rises again, so the final hope about the {k} feels earned.',
      'Grief and humour sit side by side here, as they do in life around the {k2}.',
      'What lingers is warmth: the sense that {t} was worth the trouble after all.',
      'A single image carries the turn, the {k} seen at dusk, and the mood changes with it.',
      'Nothing is resolved too neatly: the {w2} around the {k} stays, softened but present.',
    ],
    focus: [
      'On {c}, the turn from unease to relief now happens on the page, around the {k}.',
      'For {c}, a quieter moment with the {k2} lets the feeling land before the ending.',
    ],
  },
  invert: {
    kind: 'invert',
    words: ['reversal', 'opposite', 'mirror', 'undoing', 'subtraction', 'about-turn', 'flip side', 'negative space'],
    sentences: [
      'Instead of asking how the {k} succeeds, this version asks how to guarantee failure.',
      'Run {t} backwards and the ending becomes the premise: start from the {k2} and work towards the {k}.',
      'The opposite of the obvious plan turns out to be useful: remove the {k} rather than adding more.',
      'Every step that would make {t} worse is listed, then each one is turned on its head.',
      'Subtraction does the work here; the {w} of the usual approach to the {k} is its strongest feature.',
      'Flip who acts and who waits, and the {k2} suddenly has the initiative.',
      'The mirror image of the problem is easier to see: what if the {k} were already too much?',
      'Reversed, the usual sequence, first the {k} and then the {k2}, reveals a missing middle step.',
      'The negative space around the {k} says as much as the {k} itself.',
      'Undoing a habit is harder than starting one, so this draft begins by undoing one habit around the {k}.',
      'Turned upside down, the weakest part of {t} becomes the place where the {w2} starts.',
      'What would a rival do to sink the {k2}? Each answer becomes a safeguard for the {k}.',
    ],
    focus: [
      'On {c}, the draft now inverts one more step: it asks how the {k} could fail and closes that door.',
      'For {c}, the {w} is pushed further, so the {k2} is seen from its opposite side.',
    ],
  },
  audience: {
    kind: 'audience',
    words: ['newcomer', 'child', 'busy parent', 'expert', 'sceptic', 'neighbour', 'first-time visitor', 'teenager'],
    sentences: [
      'Imagine explaining {t} to a {w} who has five minutes and no patience for jargon.',
      'For a newcomer, the {k} needs one plain sentence before anything else.',
      'A child would ask why the {k2} matters, so this draft answers that first.',
      'Experts will skim, so the key point about the {k} sits at the top in bold plain words.',
      'The sceptic in the room wants proof, and a single concrete example of the {k} gives it.',
      'Each step is short: first the {k}, then the {k2}, then what to do on Monday.',
      'Words about the {k} that only insiders use are swapped for everyday ones a {w2} would recognise.',
      'The reader should be able to retell {t} in their own words after one reading.',
      'Questions a first-time visitor would ask about the {k2} are answered before they are asked.',
      'A short example shows the {k} at work in an ordinary week.',
      'Nothing here assumes the reader already cares about {t}; the draft earns that.',
      'The ending tells the reader exactly what the {k2} asks of them, and nothing more.',
    ],
    focus: [
      'On {c}, the draft now speaks plainly to the {w} and shows each step with the {k}.',
      'For {c}, one concrete everyday example of the {k2} replaces an abstract paragraph.',
    ],
  },
  borrow: {
    kind: 'borrow',
    words: ['ecosystem', 'feedback loop', 'orchestra', 'supply chain', 'immune response', 'market', 'climate', 'migration'],
    sentences: [
      'Seen through {f}, the {k} behaves less like a plan and more like a living system.',
      'In {f}, nothing grows without the right conditions, and the {k2} belongs among them.',
      'The borrowed idea from {f} is simple: small signals about the {k}, repeated, change the whole {w}.',
      '{t} looks different once treated as a {w}: inputs, flows, and limits.',
      'A practitioner of {f} would look first at the bottleneck, which here lies with the {k}.',
      'The analogy holds in a surprising place: the {k2} works like a {w2}, absorbing shocks.',
      'What {f} teaches about patience applies directly to the {k}.',
      'Borrowing the vocabulary of {f} gives the draft about the {k} new verbs: seed, prune, graft, rotate.',
      'Where the usual approach to {t} sees a problem, {f} sees a cycle with a season.',
      'The {w} metaphor is carried through to the end, so the {k} finds a place in the cycle.',
      'Experts in {f} would recognise the pattern at once; newcomers to {t} rarely do.',
      'By the last paragraph the borrowed field and the question of the {k2} have traded places.',
    ],
    focus: [
      'On {c}, the analogy with {f} is made concrete: one mechanism, mapped step by step onto the {k}.',
      'For {c}, the draft now shows where the {w} comparison breaks down, which makes the {k2} clearer.',
    ],
  },
  extreme: {
    kind: 'extreme',
    words: ['absolute', 'thousandfold', 'total', 'limitless', 'relentless', 'maximal', 'uncompromising', 'colossal'],
    sentences: [
      'Push {t} to the limit: what if the {k} had to serve a million people by next week?',
      'At a thousand times the scale, the {k2} is no longer a detail but the whole problem.',
      'The most uncompromising version refuses every half-measure about the {k}.',
      'Imagine the {k} with no budget at all, then with an unlimited one; both extremes teach something.',
      'Taken to the absolute, {t} becomes a single relentless rule, applied without exception.',
      'Nothing is allowed to be average here: the {k} is either essential or gone.',
      'At the far edge of the idea, the {w} version of the {k2} looks almost absurd, and yet it works.',
      'Remove every constraint except one and watch what the {k} turns into.',
      'The maximal draft keeps adding until the structure of {t} creaks, then keeps the strongest beams.',
      'Scaled down to one person and one hour, the {k} reveals what is truly necessary.',
      'Colossal ambition is cheap on paper; this version names the price of going all the way with the {k}.',
      'Exaggeration is a lens: it makes the hidden shape of the {k2} visible.',
    ],
    focus: [
      'On {c}, the draft pushes the {k} one step further, then shows what survives the pressure.',
      'For {c}, the {w} version of the {k2} is now tested against a realistic week.',
    ],
  },
  texture: {
    kind: 'texture',
    words: ['grain', 'weave', 'surface', 'detail', 'sound', 'colour', 'weight', 'scent'],
    sentences: [
      'Up close, the {k} has a grain, a texture most accounts of {t} smooth away.',
      'The draft lingers on sensory detail: the {w} of the {k2}, the {w2} of the {k}.',
      'Small particulars carry the argument about the {k}, each one chosen for how it feels in the hand.',
      'The colour of the {k} changes with the light, and the writing follows it.',
      'A list of concrete things grounds the abstract claim about {t}.',
      'The {w2} of the prose is deliberate: short sentences for the {k}, long ones for the {k2}.',
      'Every paragraph has one image of the {k} a reader could draw from memory.',
      'Where other versions summarise, this one shows the {k} in a single vivid frame.',
      'The surface details of the {k2} add up to a pattern by the end.',
      'Texture is not decoration here; it is how {t} becomes believable.',
    ],
    focus: [
      'On {c}, one more concrete detail about the {k} replaces a general claim.',
      'For {c}, the {w} of the prose around the {k2} is sharpened.',
    ],
  },
  practical: {
    kind: 'practical',
    words: ['checklist', 'timeline', 'budget', 'owner', 'milestone', 'trade-off', 'resource', 'first step'],
    sentences: [
      'The practical path for {t} has three stages, and the {k} belongs to the first.',
      'Each step has an owner, a date, and a way to tell whether the {k2} worked.',
      'The budget is modest, so the {k} is tested small before anything is scaled.',
      'A checklist keeps the work honest: define the {k}, try a small version, measure, adjust.',
      'The main trade-off is speed against care, and this plan picks care for the {k2}.',
      'A first milestone within a month shows whether {t} is on track.',
      'Resources are named plainly: two people, a few hours a week, one shared {w} for the {k}.',
      'Risks are listed next to their remedies, starting with the {k}.',
      'The timeline for the {k2} leaves slack for the things that always take longer.',
      'By the end of the quarter, the team decides whether the {k2} earns more time.',
    ],
    focus: [
      'On {c}, the plan now gives the {k} an owner and a date.',
      'For {c}, a concrete {w} replaces a vague promise about the {k2}.',
    ],
  },
  history: {
    kind: 'history',
    words: ['precedent', 'archive', 'tradition', 'chronicle', 'legacy', 'custom', 'record', 'heritage'],
    sentences: [
      'The story of {t} did not start today; there is a long precedent for the {k}.',
      'A century ago the same question about the {k2} was asked, and answered differently.',
      'The archive shows a turning point, after which the {k} was never quite the same.',
      'Each generation inherited the {w} of the {k} and changed it a little.',
      'Tradition explains the shape of the {k}, though not whether it should stay.',
      'Old chronicles describe the {k2} in words we would now find strange.',
      'Looking back, the pattern is clear: every revival of {t} followed a crisis.',
      'The earliest versions of the {k2} were humbler and, in some ways, wiser.',
      'History is not a verdict here but a supply of tested options for the {k}.',
      'The draft ends by asking how the {k} of today will look in the {w2} of the future.',
    ],
    focus: [
      'On {c}, the draft now draws one precedent for the {k} from the archive.',
      'For {c}, the historical turning point is tied directly to the {k2}.',
    ],
  },
};

/** Fields a borrow lens can borrow from, chosen per opening. */
export const BORROWED_FIELDS = [
  'ecology',
  'jazz improvisation',
  'epidemiology',
  'urban planning',
  'beekeeping',
  'air traffic control',
  'game design',
  'sailing',
] as const;
