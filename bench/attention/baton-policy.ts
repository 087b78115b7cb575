import { join } from 'node:path';
import type { DecideOptions, ModelPort, RunOutcome } from '../../src/index.js';
import { Baton, fitBradleyTerry } from '../../src/index.js';
import { contendersOf } from '../../src/steer/pairwise-rank.js';
import type { PolicyResult } from './baselines.js';
import type { SimPerson } from './person.js';
import type { SimWorld } from './sim.js';

/**
 * Policies that run on Baton's own engine, through the library API with a real SQLite file, so
 * that they differ only in when the person is asked:
 *
 * - `baton`: Baton's triggers and the brief's attention decide; the person answers each
 *   checkpoint raised and reviews what was assumed in their place (reversing what they disagree
 *   with). Every answer and every reversal is one intervention.
 * - `always` (AutoGen's human_input_mode=ALWAYS): Baton's own engine, asking after every wave
 *   (one move per wave) and showing the board Baton would show then. The person waves the models
 *   on until every lens has been opened, then names the card they like best to deepen; they answer
 *   Baton's own checkpoints the same way.
 * - `terminate`: attention 0 — the models explore on the judge alone and the person is asked only
 *   at the end, where they pick their favourite of the last board.
 *
 * Every final pick is made from what the person is shown at the end — the last board, of the same
 * size for every policy — never from the whole tree.
 * - `never`: the same exploration; the judge's best is accepted, nobody is asked.
 *
 * Model calls are the store's own count.
 */

export type EngineMode = 'baton' | 'always' | 'terminate' | 'never';

export interface BatonRun {
  /** Checkpoints Baton skipped on the strength of the person's taste. */
  assumed: number;
  reversed: number;
  /** An `exhausted` checkpoint was raised with over 10% of the call budget unspent. */
  exhaustedEarly: boolean;
}

/** A person reverses an assumption when their own favourite among what it would have shown is this much better. */
const REVERSE_MARGIN = 0.02;

/**
 * How the judge is set for a run (issue 12, "Measured"): `single` is the world's judge alone;
 * `jury` adds `world.jury` as jurors (the brief names them all); `pairwise` ranks the board's
 * contenders in pairs. For NEVER, which accepts on the judge's word, the final pick with pairwise
 * is the Bradley–Terry top of the last board's contenders, compared in both orders by the lead
 * judge with calls kept back from the same budget (`PAIRWISE_RESERVE`).
 */
export interface Judging {
  jury: boolean;
  pairwise: boolean;
}

export const SINGLE_JUDGE: Judging = { jury: false, pairwise: false };

/** Calls NEVER keeps back for its final pairwise ranking: 4 contenders, 6 pairs, both orders. */
export const PAIRWISE_RESERVE = 12;

export async function runOnBaton(
  sim: SimWorld,
  person: SimPerson,
  briefPath: string,
  dir: string,
  mode: EngineMode,
  judging: Judging = SINGLE_JUDGE,
): Promise<PolicyResult & { run: BatonRun }> {
  const models: Record<string, () => ModelPort> = {};
  const jurors = judging.jury ? sim.world.jury.length + 1 : 1;
  for (let j = 0; j < jurors; j++) models[sim.modelId(j)] = () => sim.port(j);
  const variant = `${judging.jury ? '-jury' : ''}${judging.pairwise ? '-pairwise' : ''}`;
  const baton = Baton.open({
    db: join(dir, `${sim.world.name}-${sim.seed}-${mode}${variant}.db`),
    models,
    concurrency: mode === 'always' ? 1 : 2,
  });
  const run: BatonRun = { assumed: 0, reversed: 0, exhaustedEarly: false };
  const noteExhaustion = (o: RunOutcome): void => {
    if (o.board.reasons.some((r) => r.kind === 'exhausted') && o.board.spend.calls < 0.9 * sim.world.budget.calls) run.exhaustedEarly = true;
  };
  const runOptions = mode === 'always' ? { maxWaves: 1 } : {};
  try {
    const id = await baton.start(briefPath, { seed: sim.seed });
    let outcome = await baton.run(id, runOptions);
    let interventions = 0;
    let accepted: string | undefined;
    let extraCalls = 0;
    while (outcome.status === 'awaiting' || (mode === 'always' && outcome.status === 'running')) {
      noteExhaustion(outcome);
      let tree = await treeOf(baton, id);
      // Whoever is asked reads the board they are shown.
      if (mode !== 'never') person.see(outcome.board.cards.flatMap((c) => tree.all.get(c.candidateId) ?? []));
      if (mode === 'baton') {
        const reversals = await reviewAssumptions(baton, id, outcome, tree, person);
        interventions += reversals;
        run.reversed += reversals;
        // A reversal prunes what the assumption made: the person chooses among what is left.
        if (reversals > 0) tree = await treeOf(baton, id);
      }
      let decision = decide(mode, outcome, tree, person, sim.world.lenses.length);
      if (mode === 'never' && judging.pairwise && decision.action === 'accept') {
        const ranked = pairwisePick(sim, outcome.board, tree);
        extraCalls += ranked.calls;
        const pick = [...tree.texts].find(([, text]) => text === ranked.text)?.[0];
        if (pick !== undefined) decision = { ...decision, candidateIds: [pick], reason: 'the pairwise top of the last board' };
      }
      if (mode !== 'never') interventions += 1;
      if (decision.action === 'accept') accepted = tree.texts.get(decision.candidateIds?.[0] as string);
      outcome = (await baton.decide(id, { ...decision, run: runOptions })).outcome;
    }
    const tree = await treeOf(baton, id);
    run.assumed = (await baton.show(id)).ledger.filter((e) => e.kind === 'assumption').length;
    // An exploration that ended without an answer (nothing left between checkpoints) is settled
    // as TERMINATE would settle it: the person picks from the last board, one more intervention.
    if (accepted === undefined) {
      const last = await baton.board(id);
      const decision = decide(mode === 'never' ? 'never' : 'terminate', last, tree, person, 0);
      accepted = tree.texts.get(decision.candidateIds?.[0] as string) as string;
      if (mode === 'never' && judging.pairwise) {
        const ranked = pairwisePick(sim, last.board, tree);
        extraCalls += ranked.calls;
        accepted = ranked.text ?? accepted;
      }
      if (mode !== 'never') interventions += 1;
    }
    const spend = await baton.store.spend(id);
    return { policy: mode, accepted, interventions, calls: spend.calls + extraCalls, produced: [...tree.all.values()], run };
  } finally {
    await baton.close();
  }
}

interface Tree {
  /** Texts of candidates that may still be chosen (not pruned). */
  texts: Map<string, string>;
  /** Every candidate's text, pruned or not. */
  all: Map<string, string>;
  /** Unpruned, unexhausted leaves. */
  openLeaves: string[];
  /** Lenses with at least one candidate. */
  lensesOpened: number;
  /** The judge's quality by candidate. */
  quality: Map<string, number>;
}

async function treeOf(baton: Baton, id: string): Promise<Tree> {
  const all = new Map((await baton.store.listCandidates(id)).map((c) => [c.id, c.text]));
  const view = await baton.show(id);
  const parents = new Set(view.candidates.flatMap((c) => c.parentIds));
  const texts = new Map([...all].filter(([c]) => !view.candidates.find((e) => e.id === c)?.pruned));
  return {
    texts,
    all,
    openLeaves: view.candidates.filter((c) => !c.pruned && !c.exhausted && !parents.has(c.id) && c.quality !== null).map((c) => c.id),
    lensesOpened: new Set(view.candidates.map((c) => c.lensId)).size,
    quality: new Map(view.candidates.map((c) => [c.id, c.quality ?? 0])),
  };
}

/**
 * NEVER's final pick with pairwise ranking: the last board's contenders (the best and each
 * direction's best, up to 4, as the engine picks them) compared by the lead judge in both orders,
 * fitted with Bradley–Terry; the strongest is accepted (ties: the rubric's order).
 */
function pairwisePick(sim: SimWorld, board: RunOutcome['board'], tree: Tree): { text: string | undefined; calls: number } {
  const ids = contendersOf(board).filter((c) => tree.texts.has(c));
  if (ids.length < 2) return { text: undefined, calls: 0 };
  const outcomes: Array<{ a: number; b: number; outcome: 1 | 0 | 0.5 }> = [];
  let calls = 0;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      for (const [a, b] of [[i, j], [j, i]] as const) {
        const first = tree.texts.get(ids[a] as string) as string;
        const second = tree.texts.get(ids[b] as string) as string;
        // The lead judge's answer to the engine's compare task, counted as a model call.
        sim.calls += 1;
        calls += 1;
        const winner = (JSON.parse(sim.compare(first, second)) as { winner: string }).winner;
        outcomes.push({ a, b, outcome: winner === 'first' ? 1 : winner === 'second' ? 0 : 0.5 });
      }
    }
  }
  const strengths = fitBradleyTerry(ids.length, outcomes).strengths;
  let top = 0;
  strengths.forEach((s, k) => {
    if (s > (strengths[top] as number) + 1e-9) top = k;
  });
  return { text: tree.texts.get(ids[top] as string), calls };
}

/** Reverses each new assumption the person disagrees with; returns how many. */
async function reviewAssumptions(baton: Baton, id: string, outcome: RunOutcome, tree: Tree, person: SimPerson): Promise<number> {
  let reversed = 0;
  const ledger = (await baton.show(id)).ledger;
  for (const item of outcome.board.assumed ?? []) {
    if (item.reversed) continue;
    const shown = (ledger.find((e) => e.assumption?.id === item.assumptionId)?.shown ?? []).filter((c) => tree.texts.has(c));
    const picked = tree.texts.get(item.candidateIds[0] as string);
    if (shown.length === 0 || picked === undefined) continue;
    const best = Math.max(...shown.map((c) => person.utilityNow(tree.texts.get(c) as string)));
    if (best > person.utilityNow(picked) + REVERSE_MARGIN) {
      await baton.reverse(id, { assumption: item.assumptionId, reason: 'I would have followed another one' });
      reversed += 1;
    }
  }
  return reversed;
}

/** The person's (or, for `never`, the judge's) answer at a pause. */
function decide(mode: EngineMode, outcome: RunOutcome, tree: Tree, person: SimPerson, lensCount: number): DecideOptions {
  const ids = [...tree.texts.keys()];
  const favouriteOf = (candidates: string[]): string | undefined => candidates[person.favourite(candidates.map((c) => tree.texts.get(c) as string))];
  const terminal = outcome.status === 'awaiting' && outcome.board.reasons.some((r) => r.key === 'budget:spent' || r.key === 'exhausted');
  if (mode === 'never') {
    const best = ids.reduce((a, b) => ((tree.quality.get(b) ?? 0) > (tree.quality.get(a) ?? 0) ? b : a));
    return { action: 'accept', candidateIds: [best], reason: "the judge's best" };
  }
  const shown = outcome.board.cards.map((c) => c.candidateId).filter((c) => tree.texts.has(c));
  if (terminal || mode === 'terminate') {
    return { action: 'accept', candidateIds: [(favouriteOf(shown) ?? favouriteOf(ids)) as string], reason: 'my favourite of the last board' };
  }
  if (mode === 'always') {
    // Asked at every move, shown the board Baton would show then: let the models open every lens
    // first, then steer the deepening from the board.
    const favourite = favouriteOf(shown);
    if (tree.lensesOpened < lensCount || favourite === undefined) return { action: 'continue', reason: 'go on' };
    return { action: 'deepen', candidateIds: [favourite], reason: 'the path I like best' };
  }
  const cards = outcome.board.cards.map((c) => c.candidateId).filter((c) => tree.texts.has(c));
  const favourite = favouriteOf(cards);
  if (favourite === undefined) return { action: 'continue', reason: 'nothing to choose yet' };
  return { action: 'deepen', candidateIds: [favourite], reason: 'closest to what I want' };
}
