import type { Document, Node } from 'yaml';
import { isCollection, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, YAMLParseError } from 'yaml';
import type { SourceLocation } from '../errors.js';

/**
 * The brief as a file: YAML front matter between `---` lines at the very top, Markdown after.
 * This module splits the two and maps a field path (`criteria.2.weight`) back to a line and
 * column of the original file, so every message can point where the person has to look.
 */

/** A path into the front matter: keys and list indexes, as zod reports them or as a dotted string. */
export type FieldPath = string | readonly PropertyKey[];

export interface FrontMatterParts {
  /** The YAML text between the `---` lines. */
  yaml: string;
  /** 1-based line of the file on which `yaml` starts. */
  yamlLine: number;
  /** Everything after the closing `---`, as written. */
  body: string;
}

export type SplitResult =
  | ({ ok: true } & FrontMatterParts)
  | { ok: false; message: string; line: number; column: number };

const FENCE = /^---[ \t]*$/;

/**
 * Splits a brief into its YAML front matter and its Markdown body.
 *
 * @example
 * splitFrontMatter('---\nquestion: Why?\n---\nNotes')
 * // { ok: true, yaml: 'question: Why?\n', yamlLine: 2, body: 'Notes' }
 */
export function splitFrontMatter(source: string): SplitResult {
  // A byte-order mark is invisible in editors; it must not hide the opening fence.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const lines = text.split('\n');
  const clean = (line: string | undefined): string => (line ?? '').replace(/\r$/, '');
  if (!FENCE.test(clean(lines[0]))) {
    const later = lines.findIndex((line) => FENCE.test(clean(line)));
    if (later > 0 && lines.slice(0, later).every((line) => clean(line).trim() === '')) {
      return {
        ok: false,
        message: `the front matter must start on the very first line; move the \`---\` on line ${later + 1} to line 1`,
        line: later + 1,
        column: 1,
      };
    }
    return {
      ok: false,
      message:
        'no front matter: a brief starts with a `---` line, then YAML fields (`question:`, `criteria:`, …), ' +
        'then a closing `---` line, then Markdown context',
      line: 1,
      column: 1,
    };
  }
  const close = lines.findIndex((line, index) => index > 0 && FENCE.test(clean(line)));
  if (close < 0) {
    return {
      ok: false,
      message: 'the front matter opened by `---` on line 1 is never closed: add a `---` line after the YAML',
      line: 1,
      column: 1,
    };
  }
  const yamlLines = lines.slice(1, close);
  return {
    ok: true,
    yaml: yamlLines.length === 0 ? '' : `${yamlLines.join('\n')}\n`,
    yamlLine: 2,
    body: lines.slice(close + 1).join('\n'),
  };
}

/** The parsed front matter with what is needed to point back into the file. */
export interface FrontMatterDocument {
  doc: Document.Parsed;
  /** Line and column in the file of an offset into the YAML text. */
  position(offset: number): { line: number; column: number };
  /** Where a field is in the file; falls back to the nearest enclosing field that exists. */
  locate(path: FieldPath, options?: { at?: 'key' | 'value' }): Located;
}

export interface Located {
  line: number;
  column: number;
  /** False when the field itself is absent and the location is that of its nearest ancestor. */
  found: boolean;
}

/** Parses the YAML part of a brief, keeping what is needed to report positions in the file. */
export function parseFrontMatter(parts: Pick<FrontMatterParts, 'yaml' | 'yamlLine'>): FrontMatterDocument {
  const lineCounter = new LineCounter();
  // prettyErrors would append a code frame to each message; we report line and column ourselves.
  // The parser's own duplicate-key check compares each key with every earlier one (quadratic:
  // 60,000 keys took 50 s); `duplicateKeys` finds the same duplicates in one pass.
  const doc = parseDocument(parts.yaml, { lineCounter, prettyErrors: false, uniqueKeys: false });
  doc.errors.push(...duplicateKeys(doc));
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(Math.max(0, offset));
    return { line: line + parts.yamlLine - 1, column: col };
  };
  const locate = (path: FieldPath, options: { at?: 'key' | 'value' } = {}): Located => {
    const { offset, found } = findOffset(doc, toSegments(path), options.at ?? 'value');
    return { ...position(offset), found };
  };
  return { doc, position, locate };
}

/**
 * Where a field of a brief is, as a `SourceLocation` (for lint findings and messages).
 * A field that is absent points at its nearest ancestor; without front matter, at line 1.
 *
 * @example
 * locateField('---\nquestion: Why?\ncriteria:\n  - clear\n---\n', 'criteria.0')
 * // { line: 4, column: 5, field: 'criteria.0' }
 */
export function locateField(source: string, field: FieldPath, options: { file?: string } = {}): SourceLocation {
  const fieldName = toSegments(field).join('.');
  const parts = splitFrontMatter(source);
  const { line, column } = parts.ok ? parseFrontMatter(parts).locate(field) : { line: 1, column: 1 };
  return { ...(options.file !== undefined && { file: options.file }), line, column, field: fieldName };
}

/** `criteria.0.weight` or `['criteria', 0, 'weight']` → `['criteria', '0', 'weight']`. */
export function toSegments(path: FieldPath): string[] {
  if (typeof path === 'string') return path === '' ? [] : path.split('.');
  return path.map((segment) => String(segment));
}

function findOffset(
  doc: Document.Parsed,
  path: readonly string[],
  at: 'key' | 'value',
): { offset: number; found: boolean } {
  let node: unknown = doc.contents;
  // The key that led to `node`, when it was reached through a mapping.
  let key: Node | null = null;
  // The best place found so far: the start of the deepest node reached.
  let offset = startOf(node) ?? 0;
  for (const segment of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) return { offset, found: false };
      key = isNode(pair.key) ? pair.key : null;
      next = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(segment)) {
      next = node.items[Number(segment)];
      if (next === undefined) return { offset, found: false };
      key = null;
    } else {
      return { offset, found: false };
    }
    node = next;
    // A block collection starts on the line after its key; the key is where a reader looks.
    const blockCollection = isCollection(node) && !node.flow;
    const preferKey = key !== null && (at === 'key' || blockCollection || !isNode(node));
    offset = (preferKey ? startOf(key) : startOf(node)) ?? startOf(key) ?? offset;
  }
  return { offset, found: true };
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}

/** `Map keys must be unique`, as the parser reports it, for each repeated scalar key of a mapping. */
function duplicateKeys(doc: Document.Parsed): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value: unknown = pair.key.value;
        // Keys are equal when their values are (1 and '1' differ), as the parser compares them.
        const identity = typeof value === 'string' ? `s:${value}` : value;
        if (seen.has(identity)) {
          const start = pair.key.range?.[0] ?? 0;
          errors.push(new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        }
        seen.add(identity);
      }
    },
  });
  return errors;
}
