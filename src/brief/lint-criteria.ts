import { describeCheck } from './describe-check.js';
import type { LintContext, LintFinding } from './lint-context.js';
import { judgedTexts, topicOf } from './lint-context.js';
import {
  containsWord,
  GENERIC_WORDS,
  genericHint,
  OBSERVABLES,
  quoteList,
  SPECIFIC_MARKERS,
  STOPWORDS,
  tokens,
  upperFirst,
  VAGUE_WORDS,
} from './lint-words.js';

/**
 * Lint rules about what success means: wording a judge can act on, limits that keep the
 * exploration honest, and weights that say what matters most.
 */

const MAX_UNWEIGHTED_CRITERIA = 5;

/** `generic-wording` (question and criteria) and `untestable-criterion` (judged criteria). */
export function genericAndUntestable(context: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];
  const question = context.brief.question;
  const inQuestion = genericWordsIn(question);
  if (inQuestion.length > 0 && !SPECIFIC_MARKERS.test(question)) {
    const word = inQuestion[0] ?? '';
    const stripped = withoutWords(question, inQuestion).replace(/\?+\s*$/, '');
    findings.push(
      context.finding(
        'generic-wording',
        'warning',
        ['question'],
        `${quoteList(inQuestion)} in the question says nothing a model can aim at: say what it would look like`,
        `${stripped} — where “${word}” means ${genericHint(word, context.kind)}?`,
      ),
    );
  }
  for (const { text, path } of judgedTexts(context, 'criteria')) {
    // An untestable criterion gets one finding; its generic words are part of the same problem.
    if (isUntestable(text)) {
      findings.push(
        context.finding(
          'untestable-criterion',
          'warning',
          path,
          `“${text}” cannot be tested as written: a judge needs something it can observe in the text`,
          `${text.replace(/[.!]+$/, '')}: ${observableFor(text, context)}`,
        ),
      );
      continue;
    }
    const generic = genericWordsIn(text);
    if (generic.length === 0 || SPECIFIC_MARKERS.test(text)) continue;
    const rest = withoutWords(text, generic).replace(/[.!]+$/, '');
    findings.push(
      context.finding(
        'generic-wording',
        'warning',
        path,
        `${quoteList(generic)} in “${text}” gives the judge nothing to check: say what it would look like`,
        `${upperFirst(rest || 'It')}: ${genericHint(generic[0] ?? '', context.kind)}`,
      ),
    );
  }
  return findings;
}

/** `no-constraints` and `unweighted-criteria`. */
export function limitsAndWeights(context: LintContext): LintFinding[] {
  const { brief } = context;
  const findings: LintFinding[] = [];
  if (brief.constraints.length === 0) {
    const length = context.kind === 'creative' ? 600 : 400;
    findings.push(
      context.finding(
        'no-constraints',
        'info',
        ['constraints'],
        'no constraints: hard limits (length, format, what must never appear) keep the exploration honest and cheap to judge',
        `constraints: [{ max_words: ${length} }, "Never <what would make ${topicOf(brief)} unusable>"]`,
      ),
    );
  }
  const weights = new Set(brief.criteria.map((criterion) => criterion.weight));
  if (brief.criteria.length > MAX_UNWEIGHTED_CRITERIA && weights.size === 1) {
    const labels = brief.criteria.map((criterion) => `“${criterion.text ?? describeCheck(criterion.check ?? {})}”`);
    findings.push(
      context.finding(
        'unweighted-criteria',
        'info',
        ['criteria'],
        `${brief.criteria.length} criteria all weigh the same: say which matter most, or the average hides what you care about`,
        `give the one or two that matter most \`weight: 3\`, e.g. ${labels.slice(0, 2).join(' and ')} if those are the ones`,
      ),
    );
  }
  return findings;
}

function genericWordsIn(text: string): string[] {
  return GENERIC_WORDS.filter((word) => containsWord(text, word));
}

/** Too short to hold an observable, or nothing but praise ("clear, concise and memorable"). */
function isUntestable(text: string): boolean {
  if (/\d/.test(text)) return false;
  const words = tokens(text);
  const content = words.filter((word) => !STOPWORDS.has(word));
  return words.length < 3 || content.every((word) => VAGUE_WORDS.has(word));
}

function observableFor(text: string, context: LintContext): string {
  const lower = text.toLowerCase();
  const who = context.hasAudience ? context.audience : 'a reader';
  for (const [pattern, observable] of OBSERVABLES) {
    if (pattern.test(lower)) return observable.replace(/\{who\}/g, who);
  }
  const generic = genericWordsIn(text)[0];
  if (generic !== undefined) return genericHint(generic, context.kind);
  return `<what a judge could point at in the text: a named element, a count, or a reaction of ${who}>`;
}

/** The text without the generic words (and the intensifiers before them). */
function withoutWords(text: string, words: readonly string[]): string {
  let result = text;
  for (const word of words) {
    const escaped = word.replace(/-/g, '\\-').replace(/ /g, '\\s+');
    const pattern = new RegExp(`\\b(?:very\\s+|really\\s+|more\\s+|most\\s+)?${escaped}\\b\\s*(?:and\\s+)?`, 'gi');
    result = result.replace(pattern, '');
  }
  return fixArticles(result.replace(/\s{2,}/g, ' ').replace(/\s+([,.?!])/g, '$1').trim());
}

/** "a good ending" minus "good" is "an ending". */
function fixArticles(text: string): string {
  return text.replace(/\b(a|an)\s+(\p{L})/giu, (match: string, article: string, letter: string) => {
    const wanted = /[aeiou]/i.test(letter) ? 'an' : 'a';
    return match.replace(article, article.startsWith('A') ? upperFirst(wanted) : wanted);
  });
}
