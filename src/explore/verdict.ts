import { dirname } from 'node:path';
import type { ModelPort } from '../models/port.js';
import type { BriefVersion } from '../store/store.js';
import type { PartialJudgment } from './fold.js';
import { assembleVerdict } from './judge.js';
import type { AskJudge } from './jury.js';
import { consultJury } from './jury.js';

/**
 * A candidate's judgment against a brief version (novelty aside): the jury heard through `ask`
 * (one recorded call per juror and re-ask), the constraints checked by code, the verdict
 * assembled — and the keys of the judge calls it took, released once the judgment is stored.
 */
export async function judgeCandidate(input: {
  brief: BriefVersion;
  seed: number;
  jury: readonly ModelPort[];
  candidateId: string;
  text: string;
  ask: AskJudge;
  now: () => string;
}): Promise<{ judgment: PartialJudgment; keys: string[] }> {
  const { candidateId, text } = input;
  const brief = input.brief.brief;
  const { finding, keys, judge } = await consultJury({
    brief,
    briefId: input.brief.id,
    candidateId,
    text,
    jury: input.jury,
    seed: input.seed,
    ...(brief.jurySpread !== undefined ? { spread: brief.jurySpread } : {}),
    ask: input.ask,
  });
  const briefDir = input.brief.path ? dirname(input.brief.path) : undefined;
  const verdict = await assembleVerdict(brief, text, finding, briefDir ? { briefDir } : {});
  const judgment = { id: `${candidateId}.j${input.brief.version}`, candidateId, briefId: input.brief.id, ...verdict, judge, createdAt: input.now() };
  return { judgment, keys };
}
