import type { LintContext, LintFinding } from './lint-context.js';
import { findAudience, readCommand, topicOf } from './lint-context.js';
import {
  EXAMPLE_AUDIENCE,
  EXPLAIN_VERBS,
  FIX_VERBS,
  LIST_VERBS,
  lowerFirst,
  QUESTION_OPENERS,
  tokens,
  upperFirst,
  workKind,
} from './lint-words.js';

/**
 * Lint rules about framing: is the question a question, does the brief say why it matters, and
 * for whom. The essay's point: a direction, not an instruction, is what lets models explore.
 */

const MIN_INTENT_WORDS = 6;

/** `command-not-question`: a command or a statement where a question should be. */
export function commandNotQuestion(context: LintContext): LintFinding[] {
  const question = context.brief.question.trim();
  const command = readCommand(question);
  if (command) {
    return [
      context.finding(
        'command-not-question',
        'warning',
        ['question'],
        `the question is a command (“${command.verb} …”): ask what this should become and why, ` +
          'so the models explore instead of just obeying',
        questionFrom(command.object, command.verb, context),
      ),
    ];
  }
  if (question.includes('?')) return [];
  const bare = question.replace(/[.!]+$/, '');
  if (QUESTION_OPENERS.has(tokens(bare)[0] ?? '')) {
    return [
      context.finding('command-not-question', 'info', ['question'], 'the question has no question mark', `${upperFirst(bare)}?`),
    ];
  }
  // "A story about…" names a thing to make; "The flow loses users" states a fact about one.
  const article = /^(a|an|some)\s+/i.exec(bare);
  const suggestion = article
    ? questionFrom(bare.slice(article[0].length), undefined, context)
    : `Given that ${lowerFirst(bare)}, what should change for ${context.audience}, and why?`;
  return [
    context.finding(
      'command-not-question',
      'warning',
      ['question'],
      'the question is a statement: ask what this should become and why, so the models have something to explore',
      suggestion,
    ),
  ];
}

/** A question about `object` that names who it is for and asks why, shaped by the kind of work. */
function questionFrom(object: string, verb: string | undefined, context: LintContext): string {
  const who = context.audience;
  const kind = workKind(object);
  if (kind === 'creative') return `What ${object} would ${who} still remember a week later, and why?`;
  if (verb !== undefined && EXPLAIN_VERBS.has(verb)) {
    return `What would ${who} need to understand about ${object}, and why does it matter to them?`;
  }
  if (verb !== undefined && FIX_VERBS.has(verb)) {
    return `What change to ${object} would matter most to ${who}, and how would we know it worked?`;
  }
  if (verb !== undefined && LIST_VERBS.has(verb)) return `Which ${object} would ${who} pick first, and why?`;
  if (kind === 'product') return `What ${object} would ${who} choose over what they use today, and why?`;
  return `What ${object} would serve ${who}, and why?`;
}

/** `no-intent` (missing or a few words) and `no-audience` (nobody named anywhere). */
export function intentAndAudience(context: LintContext): LintFinding[] {
  const { brief } = context;
  const findings: LintFinding[] = [];
  const intent = brief.intent?.trim();
  const topic = upperFirst(topicOf(brief));
  if (intent === undefined) {
    findings.push(
      context.finding(
        'no-intent',
        'warning',
        ['intent'],
        'no intent: say why this matters and for whom; the models use it to choose between answers that all meet the criteria',
        `intent: ${topic} matters because <what changes when it is done well>, for ${context.audience}.`,
      ),
    );
  } else {
    const words = tokens(intent).length;
    if (words < MIN_INTENT_WORDS) {
      const forWhom = findAudience([intent]) === undefined ? `, for ${context.audience}` : '';
      findings.push(
        context.finding(
          'no-intent',
          'warning',
          ['intent'],
          `the intent is only ${words} ${words === 1 ? 'word' : 'words'}: say why this matters and for whom`,
          `intent: ${withoutFinalStop(intent)} — because <what changes when it is done well>${forWhom}.`,
        ),
      );
    }
  }
  if (!context.hasAudience) {
    const example = EXAMPLE_AUDIENCE[context.kind];
    findings.push(
      context.finding(
        'no-audience',
        'warning',
        intent === undefined ? ['question'] : ['intent'],
        'nobody is named as the audience: who will read or use this? Without it, “good” means “good for no one in particular”',
        intent === undefined
          ? `intent: ${topic} matters to ${example} because <why it matters to them>.`
          : `intent: ${withoutFinalStop(intent)}, for <who exactly, e.g. ${example}>.`,
      ),
    );
  }
  return findings;
}

function withoutFinalStop(text: string): string {
  return text.replace(/[.!]+$/, '');
}
