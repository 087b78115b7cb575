import type { ModelPort, ModelRequest, ModelResponse } from '../../src/models/port.js';
import { fnv1a } from '../../src/models/local-embedding.js';
import { mulberry32 } from '../../src/util/mulberry32.js';

/**
 * The one fake model both engines call: it writes a ~2 KB candidate (seeded words, so every
 * candidate differs and novelty has something to measure) and judges with scores that rise with
 * depth, so every path deepens to the engine's depth ceiling. It has no latency of its own unless
 * given one; the time spent inside it is counted so that it can be taken out of the engines'
 * wall time (what is left is orchestration overhead).
 */

const VOCABULARY = buildVocabulary(4000);
export const CANDIDATE_BYTES = 2048;
const CHUNKS = 8;
const CHUNK_BYTES = CANDIDATE_BYTES / CHUNKS;
const CHUNK_POOL = buildChunks(4096);

export interface ModelClock {
  /** Milliseconds spent inside `complete` (CPU, plus the simulated latency). */
  spentMs: number;
  calls: number;
  /** Milliseconds by which simulated-latency calls came back later than asked (timers firing late). */
  lateMs: number;
  /** `performance.now()` of the first call after `mark()`; undefined until one starts. */
  firstCallAt: number | undefined;
  mark(): void;
}

export function modelClock(): ModelClock {
  const clock: ModelClock = {
    spentMs: 0,
    calls: 0,
    lateMs: 0,
    firstCallAt: undefined,
    mark() {
      clock.firstCallAt = undefined;
    },
  };
  return clock;
}

export interface FakeModelOptions {
  clock: ModelClock;
  /** Simulated latency per call, ms (a timer, not CPU). */
  latencyMs?: number;
  /** The criteria the judge scores. */
  criteria: readonly string[];
}

/**
 * Text of CANDIDATE_BYTES bytes, a function of `key` only; the first line says the depth. It is
 * eight 256-byte chunks drawn (by the key's hash) from a pool of 4096 seeded-word chunks: each
 * text is its own, neighbours share some vocabulary, and making one costs about a microsecond —
 * the fake model's own CPU must not pass for the engine's.
 */
export function candidateText(key: string, depth: number): string {
  const next = mulberry32(fnv1a(key));
  const header = `[depth ${depth}]`.padEnd(CHUNK_BYTES - 1, '.');
  const parts = [header];
  for (let i = 1; i < CHUNKS; i += 1) parts.push(CHUNK_POOL[Math.floor(next() * CHUNK_POOL.length)] as string);
  return parts.join(' ');
}

/** Judge answer as JSON text: every criterion scored 3 + 0.7 × depth (capped at 9.5). */
export function judgeAnswer(text: string, criteria: readonly string[]): string {
  const depth = Number(/^\[depth (\d+)\]/u.exec(text)?.[1] ?? 0);
  const score = Math.min(9.5, 3 + 0.7 * depth);
  return JSON.stringify({
    scores: criteria.map((criterion) => ({ criterion, score, reason: `scored ${score} at depth ${depth}` })),
    constraints: [],
    flags: [],
    critique: `Depth ${depth}: sharpen the middle.`,
  });
}

/** What the writer is asked for, reduced to what the fake needs: a key and a depth. */
export interface WriteRequest {
  key: string;
  depth: number;
}

export function timed<T>(clock: ModelClock, latencyMs: number, work: () => T): Promise<T> {
  const started = performance.now();
  clock.firstCallAt ??= started;
  clock.calls += 1;
  const value = work();
  const cpu = performance.now() - started;
  if (latencyMs <= 0) {
    clock.spentMs += cpu;
    return Promise.resolve(value);
  }
  return new Promise((resolve) =>
    setTimeout(() => {
      const took = performance.now() - started;
      clock.spentMs += took;
      clock.lateMs += Math.max(0, took - cpu - latencyMs);
      resolve(value);
    }, latencyMs),
  );
}

/** The fake as a Baton `ModelPort` (writer and judge in one). */
export function fakePort(options: FakeModelOptions): ModelPort {
  const latency = options.latencyMs ?? 0;
  // Two openings of one lens must differ: each is numbered.
  const opens = new Map<string, number>();
  const openKey = (lensId: string): string => {
    const n = (opens.get(lensId) ?? 0) + 1;
    opens.set(lensId, n);
    return `${lensId}#${n}`;
  };
  return {
    info: {
      id: 'fake:bench',
      label: 'fake (benchmark)',
      rehearsal: true,
      pricing: { inputPerMTok: 0, outputPerMTok: 0 },
      maxOutputTokens: 1000,
    },
    complete(request: ModelRequest): Promise<ModelResponse> {
      return timed(options.clock, latency, () => ({ text: answer(request, options.criteria, openKey), usage: { inputTokens: 1, outputTokens: 1 }, model: 'fake:bench' }));
    },
  };
}

function answer(request: ModelRequest, criteria: readonly string[], openKey: (lensId: string) => string): string {
  const task = request.task;
  switch (task.kind) {
    case 'judge':
      return judgeAnswer(task.candidate.text, criteria);
    case 'open':
      return candidateText(`${request.seed}:${openKey(task.lens.id)}`, 1);
    case 'deepen':
      return candidateText(`${request.seed}:${task.parent.id}`, task.parent.depth + 1);
    case 'combine':
      return candidateText(`${request.seed}:${task.parents[0].id}+${task.parents[1].id}`, Math.max(task.parents[0].depth, task.parents[1].depth) + 1);
    case 'reframe':
      return '{"framings":[]}';
    case 'compare':
      return '{"winner":"tie","reason":"the bench model does not compare"}';
  }
}

function buildVocabulary(size: number): string[] {
  const next = mulberry32(7);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = new Set<string>();
  while (words.size < size) {
    const length = 3 + Math.floor(next() * 7);
    let word = '';
    for (let i = 0; i < length; i += 1) word += letters[Math.floor(next() * 26)];
    words.add(word);
  }
  return [...words];
}

/** Chunks of CHUNK_BYTES - 1 bytes of seeded words (joined by spaces, eight make CANDIDATE_BYTES). */
function buildChunks(count: number): string[] {
  const next = mulberry32(11);
  return Array.from({ length: count }, () => {
    let chunk = '';
    while (chunk.length < CHUNK_BYTES) chunk += `${VOCABULARY[Math.floor(next() * VOCABULARY.length)] as string} `;
    return chunk.slice(0, CHUNK_BYTES - 1);
  });
}
