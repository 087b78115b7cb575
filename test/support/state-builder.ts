import type { Criterion, Lens } from '../../src/brief/schema.js';
import type { ExplorationState } from '../../src/explore/state.js';
import { applyEvent, initialState } from '../../src/explore/state.js';
import type { Candidate, Flag, Judgment, MoveKind } from '../../src/explore/types.js';

/**
 * Builds exploration states through the real reducer, for the pure-function tests of the policy,
 * triggers, exhaustion and board. Scores are given per criterion; quality is their mean.
 */

export const LENSES: Lens[] = ['invert', 'extreme', 'minimal', 'borrow-field'].map((id) => ({
  id,
  name: id,
  text: `${id} lens`,
  builtin: true,
}));

export const CRITERIA: Criterion[] = [
  { id: 'a', text: 'criterion a', weight: 1, min: 7 },
  { id: 'b', text: 'criterion b', weight: 1, min: 7 },
];

export interface AddOptions {
  kind?: MoveKind;
  parents?: string[];
  lens?: string;
  scores?: Record<string, number>;
  novelty?: number;
  parentSimilarity?: number | null;
  flags?: Flag[];
  failed?: boolean;
  judged?: boolean;
}

export class StateBuilder {
  readonly state: ExplorationState;
  private count = 0;

  constructor(lenses: Lens[] = LENSES) {
    this.state = initialState('x');
    applyEvent(this.state, { type: 'exploration.created', briefId: 'b1', seed: 1, lenses, model: 'rehearsal', judge: 'rehearsal' });
  }

  /** Adds a candidate (and its judgment unless `judged: false`); returns its id. */
  add(options: AddOptions = {}): string {
    this.count += 1;
    const id = `x.c${this.count}`;
    const parents = options.parents ?? [];
    const kind = options.kind ?? (parents.length === 0 ? 'open' : parents.length === 1 ? 'deepen' : 'combine');
    const lensId = options.lens ?? (parents[0] ? (this.state.nodes.get(parents[0])?.candidate.lensId ?? 'invert') : 'invert');
    const depth = Math.max(0, ...parents.map((p) => this.state.nodes.get(p)?.candidate.depth ?? 0)) + 1;
    const candidate: Candidate = {
      id,
      explorationId: 'x',
      moveId: `x.m${this.count}`,
      kind,
      parentIds: parents,
      lensId,
      depth,
      text: `candidate ${this.count}`,
      embedding: new Float32Array([1, 0]),
      model: 'rehearsal:default',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    applyEvent(this.state, { type: 'candidate.added', candidate });
    if (options.judged !== false) applyEvent(this.state, { type: 'candidate.judged', judgment: this.judgment(id, options) });
    return id;
  }

  exhaust(id: string, reason = 'plateau'): this {
    applyEvent(this.state, { type: 'path.exhausted', candidateId: id, reason });
    return this;
  }

  /** Marks trigger keys as already shown, as a raised checkpoint would. */
  raised(...keys: string[]): this {
    for (const key of keys) this.state.raisedKeys.add(key);
    return this;
  }

  private judgment(candidateId: string, options: AddOptions): Judgment {
    const scores = Object.entries(options.scores ?? { a: 5, b: 5 }).map(([criterion, score]) => ({
      criterion,
      score,
      reason: `${criterion} scored ${score}`,
      by: 'judge' as const,
    }));
    const mean = scores.reduce((sum, s) => sum + s.score, 0) / (10 * Math.max(1, scores.length));
    return {
      id: `${candidateId}.j1`,
      candidateId,
      briefId: 'b1',
      scores,
      quality: options.failed ? 0 : Math.round(mean * 10_000) / 10_000,
      failed: options.failed ? [{ constraint: 'at most 10 words', reason: 'too long' }] : [],
      flags: options.flags ?? [],
      critique: 'work on a',
      novelty: options.novelty ?? 0.3,
      parentSimilarity: options.parentSimilarity ?? (options.parents?.length ? 0.8 : null),
      judge: 'rehearsal:default',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
  }
}
