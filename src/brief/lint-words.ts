/**
 * The vocabulary lint coaches with: which words signal a command, an audience, a generic
 * judgement, or opposite demands. Plain lists, so a reader can see (and extend) what lint knows.
 */

/** Verbs that open a command; the person is telling the model what to do, not asking what should be. */
export const IMPERATIVE_VERBS = [
  'build', 'write', 'create', 'make', 'design', 'generate', 'draft', 'implement', 'develop', 'list',
  'give', 'produce', 'come up with', 'compose', 'plan', 'propose', 'suggest', 'outline', 'brainstorm',
  'find', 'name', 'summarize', 'summarise', 'explain', 'describe', 'tell', 'rewrite', 'improve', 'fix',
  'translate', 'prepare', 'craft', 'invent', 'imagine', 'sketch', 'define', 'choose', 'pick', 'compare',
  'analyse', 'analyze', 'review', 'edit', 'optimize', 'optimise', 'refactor', 'think of', 'figure out',
  'put together', 'set up', 'add', 'show', 'help',
] as const;

/** Polite or indirect openings that still wrap a command: "please write…", "can you make…". */
export const COMMAND_PREFIXES = [
  'please', 'can you', 'could you', 'would you', 'will you', 'i want you to', 'i need you to', 'i want to',
  'i need to', 'i want', 'i need', "i'd like you to", 'i would like you to', "let's", 'lets', 'help me', 'help us',
  'we need to', 'we want to',
] as const;

export const LIST_VERBS = new Set(['list', 'brainstorm', 'suggest', 'propose', 'name', 'come up with', 'give', 'think of']);
export const EXPLAIN_VERBS = new Set(['explain', 'describe', 'summarize', 'summarise', 'analyse', 'analyze', 'compare', 'review', 'define']);
export const FIX_VERBS = new Set(['improve', 'fix', 'optimize', 'optimise', 'rewrite', 'refactor', 'edit']);

export const QUESTION_OPENERS = new Set([
  'what', 'how', 'why', 'which', 'who', 'whom', 'whose', 'when', 'where', 'should', 'could', 'can', 'would',
  'will', 'is', 'are', 'does', 'do', 'did', 'was', 'were', 'might', 'may', 'shall',
]);

/** Nouns that name who the work is for. */
export const AUDIENCE_NOUNS = new Set([
  'reader', 'readers', 'user', 'users', 'customer', 'customers', 'audience', 'audiences', 'student', 'students',
  'team', 'teams', 'people', 'person', 'child', 'children', 'kid', 'kids', 'client', 'clients', 'developer',
  'developers', 'patient', 'patients', 'parent', 'parents', 'teacher', 'teachers', 'employee', 'employees',
  'staff', 'colleague', 'colleagues', 'engineer', 'engineers', 'designer', 'designers', 'manager', 'managers',
  'visitor', 'visitors', 'fan', 'fans', 'buyer', 'buyers', 'listener', 'listeners', 'viewer', 'viewers',
  'member', 'members', 'beginner', 'beginners', 'novice', 'novices', 'expert', 'experts', 'community',
  'citizen', 'citizens', 'resident', 'residents', 'adult', 'adults', 'teenager', 'teenagers', 'teen', 'teens',
  'learner', 'learners', 'volunteer', 'volunteers', 'researcher', 'researchers', 'scientist', 'scientists',
  'doctor', 'doctors', 'nurse', 'nurses', 'shopper', 'shoppers', 'guest', 'guests', 'traveller', 'travellers',
  'traveler', 'travelers', 'player', 'players', 'subscriber', 'subscribers', 'stakeholder', 'stakeholders',
  'investor', 'investors', 'newcomer', 'newcomers', 'voter', 'voters', 'maintainer', 'maintainers',
  'contributor', 'contributors', 'operator', 'operators', 'administrator', 'administrators', 'admins',
  'everyone', 'anyone', 'public', 'family', 'families', 'friend', 'friends', 'owner', 'owners', 'founder',
  'founders', 'partner', 'partners', 'caregiver', 'caregivers', 'grandparent', 'grandparents',
]);

/** "for …" names an audience, except in these set phrases. */
export const NOT_AN_AUDIENCE_AFTER_FOR = new Set([
  'example', 'instance', 'now', 'fun', 'free', 'sure', 'each', 'every', 'all', 'a', 'it', 'this', 'that',
  'which', 'what', 'how', 'long', 'ever', 'good', 'real', 'once', 'the',
]);

/** Words praising without saying what to look for. */
export const GENERIC_WORDS = [
  'good', 'nice', 'interesting', 'great', 'better', 'amazing', 'engaging', 'high-quality', 'high quality',
  'compelling', 'best', 'awesome', 'excellent', 'outstanding', 'fantastic', 'top-notch', 'world-class',
  'impactful', 'captivating',
] as const;

/** The generic words that are about holding attention (the rest are about quality in general). */
export const ENGAGEMENT_WORDS = new Set(['engaging', 'compelling', 'interesting', 'captivating']);

/** Adjectives that sound like criteria but give a judge nothing to observe on their own. */
export const VAGUE_WORDS = new Set([
  ...GENERIC_WORDS.filter((word) => !word.includes(' ')),
  'clear', 'concise', 'creative', 'original', 'funny', 'humorous', 'humor', 'humour', 'witty', 'fresh',
  'strong', 'polished', 'professional', 'clean', 'simple', 'elegant', 'unique', 'catchy', 'memorable',
  'readable', 'fun', 'cool', 'beautiful', 'effective', 'useful', 'relevant', 'appropriate', 'moving',
  'emotional', 'touching', 'powerful', 'persuasive', 'convincing', 'accurate', 'correct', 'quality',
  'well-written', 'well', 'written', 'friendly', 'warm', 'novel', 'surprising', 'smart', 'insightful',
  'innovative', 'solid', 'short', 'brief', 'helpful', 'coherent', 'consistent', 'understandable',
]);

/** Words that carry no content on their own, ignored when judging whether a text says anything. */
export const STOPWORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'is', 'are', 'be', 'it', 'its', 'it’s', "it's", 'this', 'that', 'very',
  'really', 'quite', 'more', 'most', 'so', 'too', 'of', 'to', 'in', 'on', 'for', 'with', 'as', 'at', 'by', 'should',
  'must', 'feel', 'feels', 'sound', 'sounds', 'look', 'looks', 'overall', 'enough', 'also', 'yet', 'still',
]);

/** Words that make a generic word specific: a reason, a comparison, a measure, an example. */
export const SPECIFIC_MARKERS =
  /\d|:|—|\b(so that|because|such that|such as|e\.g\.|for example|i\.e\.|measured|meaning|than|when|which means|at least|at most|without|by whether)\b/i;

/** Before a word, these make it a thing to avoid rather than a thing to reach ("not too long"). */
export const NEGATORS = new Set([
  'not', 'no', 'never', 'without', 'avoid', 'avoids', 'avoiding', "isn't", "don't", "doesn't", 'nor', 'too',
  'overly', 'less', 'neither', 'instead',
]);

/** Opposite demands: a word from one side in one item and from the other side in another. */
export const ANTONYMS: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [['short', 'shorter', 'brief', 'concise', 'succinct', 'terse'], ['long', 'longer', 'lengthy', 'detailed', 'comprehensive', 'exhaustive', 'in-depth']],
  [['formal'], ['casual', 'informal', 'colloquial', 'chatty', 'conversational', 'slangy']],
  [['simple', 'plain', 'basic'], ['complex', 'sophisticated', 'intricate', 'elaborate']],
  [['serious', 'solemn', 'sombre', 'somber', 'grave'], ['funny', 'humorous', 'playful', 'comic', 'comical', 'light-hearted', 'lighthearted', 'witty', 'silly']],
  [['cheap', 'inexpensive', 'low-cost', 'budget'], ['premium', 'luxury', 'luxurious', 'expensive', 'high-end', 'upmarket']],
  [['modern', 'contemporary', 'futuristic'], ['traditional', 'classic', 'old-fashioned', 'vintage', 'retro']],
  [['minimal', 'minimalist', 'sparse', 'spare'], ['lavish', 'ornate', 'rich', 'maximalist']],
  [['happy', 'upbeat', 'cheerful', 'optimistic', 'uplifting'], ['sad', 'melancholy', 'melancholic', 'bleak', 'gloomy', 'pessimistic', 'tragic']],
  [['realistic', 'realist'], ['fantastical', 'surreal', 'magical']],
  [['fast', 'quick', 'rapid'], ['slow', 'leisurely', 'unhurried']],
];

/** The kinds of work lint tailors its examples to. */
export type WorkKind = 'creative' | 'product' | 'research' | 'general';

const KIND_PATTERNS: ReadonlyArray<readonly [WorkKind, RegExp]> = [
  ['creative', /\b(stor(y|ies)|poems?|poetry|characters?|narratives?|essays?|novels?|fiction|plots?|scenes?|songs?|lyrics?|scripts?|tales?|speech(es)?|letters?|verses?|haikus?|jokes?)\b/g],
  ['product', /\b(products?|services?|users?|customers?|clients?|apps?|features?|onboarding|pricing|market|business|startups?|shops?|websites?|pages?|tools?|dashboards?|campaigns?|plans?|strateg(y|ies))\b/g],
  ['research', /\b(research|engineering|systems?|algorithms?|performance|experiments?|hypothes[ie]s|science|data|architecture|causes?|mechanisms?|proofs?|models?|protocols?|bugs?|why|how)\b/g],
];

/** The kind of work a text is about, by keyword count; `general` when nothing matches. */
export function workKind(text: string): WorkKind {
  const lower = text.toLowerCase();
  let best: WorkKind = 'general';
  let bestCount = 0;
  for (const [kind, pattern] of KIND_PATTERNS) {
    const count = lower.match(pattern)?.length ?? 0;
    if (count > bestCount) [best, bestCount] = [kind, count];
  }
  return best;
}

/** What a judge could observe instead of each vague word; `{who}` becomes the audience. */
export const OBSERVABLES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(funny|humou?r|humorous|witty|fun|comic)/, 'at least one line {who} would repeat to a friend'],
  [/\b(clear|readable|concise|understandable|coherent|simple)/, '{who} can restate the main point in one sentence after a single read'],
  [/\b(original|creative|fresh|unique|novel|innovative|surprising)/, 'contains an idea or image that none of the obvious answers to the question would have'],
  [/\b(memorable|catchy)/, '{who} can recall the key line a day later'],
  [/\b(moving|emotional|touching|heartfelt|powerful)/, 'ends on a moment that changes how the main character sees something'],
  [/\b(professional|polished|clean|solid|well-written)/, 'no typos, one term per idea, and every claim backed by a source or an example'],
  [/\b(persuasive|convincing)/, 'names the strongest objection {who} would raise and answers it'],
  [/\b(accurate|correct)/, 'every factual claim can be traced to a source given in the context'],
  [/\b(friendly|warm)/, 'speaks to {who} as “you” and uses no jargon'],
  [/\b(short|brief)/, 'fits in <N> words (or make it a code check: `max_words: <N>`)'],
  [/\b(useful|helpful|relevant|effective|appropriate|insightful|smart)/, '{who} can act on it the same day without asking a follow-up question'],
];

/** A concrete meaning for a generic word, by the kind of work. */
export function genericHint(word: string, kind: WorkKind): string {
  const engagement = ENGAGEMENT_WORDS.has(word);
  const hints: Record<WorkKind, readonly [string, string]> = {
    creative: [
      'a reader who starts the first line wants to read the next',
      'a reader can retell it in one sentence a day later',
    ],
    product: [
      'a first-time user comes back within a week without a reminder',
      'a first-time user finishes the main task without help',
    ],
    research: [
      'a colleague new to the topic asks a follow-up question instead of skimming',
      'every claim comes with evidence or a worked example',
    ],
    general: [
      'someone who reads the first sentence keeps reading to the end',
      'the people it is for would pick it over the obvious alternative and could say why',
    ],
  };
  return hints[kind][engagement ? 0 : 1];
}

/** An example audience per kind of work, for suggestions when the brief names none. */
export const EXAMPLE_AUDIENCE: Record<WorkKind, string> = {
  creative: 'readers aged 9–12 who rarely finish a book',
  product: 'first-time customers on a phone',
  research: 'colleagues new to the topic',
  general: 'the first twenty people who will use it',
};

/** Lowercase word tokens, keeping inner hyphens and apostrophes ("high-quality", "don't"). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** A whole-word (or whole-phrase) test, case-insensitive. */
export function containsWord(text: string, word: string): boolean {
  let regex = wordRegexes.get(word);
  if (!regex) {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
    regex = new RegExp(`(?<![\\p{L}\\p{N}-])${escaped}(?![\\p{L}\\p{N}-])`, 'iu');
    wordRegexes.set(word, regex);
  }
  return regex.test(text);
}

/** Compiled once per word: lint tests the same few hundred words against every text of a brief. */
const wordRegexes = new Map<string, RegExp>();

export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lowercases a sentence's first letter, but keeps acronyms ("API", "NASA") as written. */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

export function quoteList(words: readonly string[]): string {
  return words.map((word) => `“${word}”`).join(', ');
}
