import type { Brief, Lens } from '../brief/schema.js';
import type { ExplorationEvent } from '../explore/events.js';
import type { Candidate, Judgment } from '../explore/types.js';
import type { Board, Checkpoint, Decision } from '../steer/types.js';

/** Small, valid domain objects for store tests. Ids are parameters so tests can link them. */

export const fixtureLens: Lens = {
  id: 'contrarian',
  name: 'Contrarian',
  text: 'Argue against the obvious answer.',
  builtin: true,
};

export function fixtureBrief(overrides: Partial<Brief> = {}): Brief {
  return {
    intent: 'Help a small team name their tool.',
    question: 'What should the tool be called?',
    constraints: [
      { kind: 'judged', text: 'No trademarks.' },
      { kind: 'check', check: { max_words: 3 }, text: 'At most 3 words.' },
    ],
    criteria: [
      { id: 'memorable', text: 'Easy to remember.', weight: 2, min: 7 },
      { id: 'short', check: { max_words: 2 }, weight: 1, min: 7 },
    ],
    lenses: [fixtureLens],
    budget: { calls: 40, usd: 0.5 },
    attention: 3,
    model: 'rehearsal',
    judge: 'rehearsal',
    context: 'The team builds steering tools.',
    ...overrides,
  };
}

export const fixtureBriefSource = '---\nquestion: What should the tool be called?\ncriteria: [Easy to remember.]\n---\nThe team builds steering tools.\n';

export function fixtureCandidate(
  explorationId: string,
  n: number,
  overrides: Partial<Candidate> = {},
): Candidate {
  return {
    id: `${explorationId}:c${n}`,
    explorationId,
    moveId: `${explorationId}:m${n}`,
    kind: 'open',
    parentIds: [],
    lensId: fixtureLens.id,
    depth: 0,
    text: `Candidate ${n}: Baton, because it is passed between hands.`,
    embedding: new Float32Array([0.5, -0.25, n, 1e-7]),
    model: 'rehearsal:default',
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function fixtureJudgment(candidateId: string, briefId: string, overrides: Partial<Judgment> = {}): Judgment {
  return {
    id: `j:${candidateId}:${briefId}`,
    candidateId,
    briefId,
    scores: [
      { criterion: 'memorable', score: 8, reason: 'Vivid image.', by: 'judge' },
      { criterion: 'short', score: 10, reason: 'One word.', by: 'check' },
    ],
    quality: 0.86,
    failed: [],
    flags: [{ kind: 'unclear', reason: 'Could mean a stick.' }],
    critique: 'Strong, but ambiguous.',
    novelty: 0.4,
    parentSimilarity: null,
    judge: 'rehearsal:default',
    createdAt: '2025-01-01T00:00:01.000Z',
    ...overrides,
  };
}

export function fixtureBoard(explorationId: string, checkpointId: string, candidateId: string): Board {
  return {
    explorationId,
    checkpointId,
    reasons: [{ kind: 'unclear', reason: 'The judge was unsure.', candidateIds: [candidateId], key: `unclear:${candidateId}` }],
    cards: [
      {
        candidateId,
        roles: ['best', 'flagged'],
        why: 'Highest quality so far.',
        lensId: fixtureLens.id,
        lensName: fixtureLens.name,
        kind: 'open',
        depth: 0,
        quality: 0.86,
        novelty: 0.4,
        scores: [{ criterion: 'memorable', score: 8, reason: 'Vivid image.', by: 'judge' }],
        flags: [{ kind: 'unclear', reason: 'Could mean a stick.' }],
        failed: [],
        exhausted: null,
        excerpt: 'Baton, because…',
        words: 7,
      },
    ],
    tradeOffs: [{ a: candidateId, b: `${candidateId}-other`, aWins: ['memorable'], bWins: ['short'] }],
    spend: { calls: 3, tokens: 1200, usd: 0.01, possiblyBilled: 0, budget: { calls: 40 }, share: 0.075 },
    lenses: [{ lensId: fixtureLens.id, lensName: fixtureLens.name, candidates: 1, best: 0.86 }],
    candidates: 1,
    label: 'rehearsal',
  };
}

export function fixtureCheckpoint(explorationId: string, id: string, candidateId: string): Checkpoint {
  const board = fixtureBoard(explorationId, id, candidateId);
  return { id, explorationId, reasons: board.reasons, board, createdAt: '2025-01-01T00:00:02.000Z' };
}

export function fixtureDecision(
  explorationId: string,
  id: string,
  checkpointId: string | null,
  overrides: Partial<Decision> = {},
): Decision {
  return {
    id,
    explorationId,
    checkpointId,
    action: 'deepen',
    candidateIds: [],
    reason: 'Worth pushing further.',
    createdAt: '2025-01-01T00:00:03.000Z',
    ...overrides,
  };
}

export function fixtureCreated(briefId: string): Extract<ExplorationEvent, { type: 'exploration.created' }> {
  return { type: 'exploration.created', briefId, seed: 7, lenses: [fixtureLens], model: 'rehearsal', judge: 'rehearsal' };
}
