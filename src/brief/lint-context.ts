import type { SourceLocation } from '../errors.js';
import type { FrontMatterDocument } from './front-matter.js';
import { parseFrontMatter, splitFrontMatter } from './front-matter.js';
import type { WorkKind } from './lint-words.js';
import {
  AUDIENCE_NOUNS,
  COMMAND_PREFIXES,
  IMPERATIVE_VERBS,
  NOT_AN_AUDIENCE_AFTER_FOR,
  STOPWORDS,
  workKind,
} from './lint-words.js';
import type { Brief } from './schema.js';

/**
 * What every lint rule knows about a brief: where its fields are written, who it is for, what
 * kind of work it is, and whether its question is really a command. Computed once per lint.
 */

export type LintSeverity = 'error' | 'warning' | 'info';

export interface LintFinding {
  /** Stable kebab-case rule name, e.g. `command-not-question`. */
  code: string;
  severity: LintSeverity;
  message: string;
  location: SourceLocation & { line: number; column: number; field: string };
  /** A concrete rewrite the person can paste or adapt. */
  suggestion: string;
}

export type FieldPath = readonly PropertyKey[];

export interface LintContext {
  brief: Brief;
  kind: WorkKind;
  /** Who the brief says it is for, or the placeholder `<audience>`. */
  audience: string;
  hasAudience: boolean;
  locate(path: FieldPath): LintFinding['location'];
  /** Whether the field is written in the source (a criterion's `text` exists only in mapping form). */
  exists(path: FieldPath): boolean;
  finding(code: string, severity: LintSeverity, path: FieldPath, message: string, suggestion: string): LintFinding;
}

export function createLintContext(source: string, brief: Brief, file: string | undefined): LintContext {
  const parts = splitFrontMatter(source);
  const front: FrontMatterDocument | undefined = parts.ok ? parseFrontMatter(parts) : undefined;
  const locate = (path: FieldPath): LintFinding['location'] => {
    const { line, column } = front?.locate(path) ?? { line: 1, column: 1 };
    return { ...(file !== undefined && { file }), line, column, field: path.map(String).join('.') };
  };
  const audience = findAudience([brief.intent ?? '', brief.question, brief.context]);
  return {
    brief,
    kind: workKind(`${brief.question} ${brief.intent ?? ''}`),
    audience: audience ?? '<audience>',
    hasAudience: audience !== undefined,
    locate,
    exists: (path) => front?.locate(path).found ?? false,
    finding: (code, severity, path, message, suggestion) => ({ code, severity, message, location: locate(path), suggestion }),
  };
}

export interface Command {
  verb: string;
  /** What follows the verb, without a leading "me" or article: "story about a lighthouse keeper". */
  object: string;
  /** The same with its article, for sentences: "a story about a lighthouse keeper". */
  phrase: string;
}

const VERBS_LONGEST_FIRST = [...IMPERATIVE_VERBS].sort((a, b) => b.length - a.length);

/** Reads "Write a story about…", "Please write…", "Can you write…?" as a command. */
export function readCommand(question: string): Command | undefined {
  let rest = question.trim().replace(/[?.!]+$/, '').trim();
  // Polite wrappers can stack: "Could you please help me write…".
  for (let changed = true; changed; ) {
    changed = false;
    for (const prefix of COMMAND_PREFIXES) {
      const match = new RegExp(`^${prefix.replace(/'/g, "['’]")}[\\s,]+`, 'i').exec(rest);
      if (match) {
        rest = rest.slice(match[0].length);
        changed = true;
      }
    }
  }
  const verb = VERBS_LONGEST_FIRST.find((candidate) => new RegExp(`^${candidate}\\b`, 'i').test(rest));
  if (verb === undefined) return undefined;
  const phrase = rest
    .slice(verb.length)
    .trim()
    .replace(/^(me|us|for me|for us)\b\s*/i, '');
  if (phrase === '') return undefined;
  return { verb, object: phrase.replace(/^(a|an|the|some)\s+/i, ''), phrase };
}

/** The subject of the brief in a few words, for suggestions: "a story about a lighthouse keeper". */
export function topicOf(brief: Brief): string {
  const command = readCommand(brief.question);
  if (command) return command.phrase;
  return `the answer to “${brief.question.trim()}”`;
}

/** An audience phrase ("first-time visitors", "my grandmother") from the first text naming one. */
export function findAudience(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const words = text.split(/\s+/).map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
    const lower = words.map((word) => word.toLowerCase());
    const nounAt = lower.findIndex((word) => AUDIENCE_NOUNS.has(word));
    if (nounAt >= 0) {
      // Keep up to two describing words before the noun ("first-time", "busy"), stopping at glue words.
      let start = nounAt;
      while (start > 0 && nounAt - start < 2 && !AUDIENCE_GLUE.has(lower[start - 1] ?? '')) start -= 1;
      return words.slice(start, nounAt + 1).join(' ');
    }
    const forMatch = /\bfor\s+((?:[\p{L}\p{N}'’-]+\s*){1,4})/iu.exec(text);
    const after = forMatch?.[1]?.trim().split(/\s+/) ?? [];
    if (after.length > 0 && !NOT_AN_AUDIENCE_AFTER_FOR.has((after[0] ?? '').toLowerCase())) {
      const cut = after.findIndex((word, index) => index > 0 && AUDIENCE_GLUE.has(word.toLowerCase()));
      return (cut > 0 ? after.slice(0, cut) : after).join(' ').replace(/[^\p{L}\p{N}]+$/u, '');
    }
    // "Commuters who read our newsletter": people named by what they do.
    const whoMatch = /(?:^|[^\p{L}])([\p{L}-]{3,})\s+who\s+[\p{L}]/iu.exec(text);
    const who = whoMatch?.[1];
    if (who && !AUDIENCE_GLUE.has(who.toLowerCase())) return `${who} who…`;
  }
  return undefined;
}

/** Words that end an audience phrase when walking away from its noun. */
const AUDIENCE_GLUE = new Set([
  ...STOPWORDS,
  ...['who', 'whom', 'that', 'which', 'because', 'so', 'help', 'helps', 'give', 'gives', 'let', 'lets', 'make'],
  ...['makes', 'show', 'shows', 'teach', 'teaches', 'tell', 'tells', 'serve', 'serves', 'want', 'wants', 'need'],
  ...['needs', 'would', 'could', 'will', 'can', 'might', 'what', 'how', 'why', 'when', 'where', 'about', 'from'],
  ...['into', 'our', 'their', 'his', 'her', 'every', 'all', 'any', 'some', 'many', 'few', 'other', 'others'],
]);

export interface JudgedText {
  text: string;
  path: FieldPath;
}

/** Judged criteria and/or constraints, with the field path where their text is written. */
export function judgedTexts(context: LintContext, which: 'criteria' | 'constraints' | 'both'): JudgedText[] {
  const texts: JudgedText[] = [];
  if (which !== 'constraints') {
    context.brief.criteria.forEach((criterion, index) => {
      if (criterion.text === undefined) return;
      // A plain string criterion is the list item itself; a mapping keeps its text under `text`.
      const path = context.exists(['criteria', index, 'text']) ? ['criteria', index, 'text'] : ['criteria', index];
      texts.push({ text: criterion.text, path });
    });
  }
  if (which !== 'criteria') {
    context.brief.constraints.forEach((constraint, index) => {
      if (constraint.kind === 'judged') texts.push({ text: constraint.text, path: ['constraints', index] });
    });
  }
  return texts;
}
