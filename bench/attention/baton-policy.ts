import { join } from 'node:path';
import type { DecideOptions, RunOutcome } from '../../src/index.js';
import { Baton } from '../../src/index.js';
import type { PolicyResult } from './baselines.js';
import type { SimPerson } from './person.js';
import type { SimWorld } from './sim.js';

/**
 * Baton on the simulated world, through the library API with a real SQLite file: the simulated
 * person answers each checkpoint Baton raises, and reviews what Baton assumed in their place
 * (reversing an assumption they disagree with). Every answer and every reversal is one
 * intervention; model calls are the store's own count.
 */

export interface BatonRun {
  /** Checkpoints the person answered. */
  checkpoints: number;
  /** Checkpoints Baton skipped on the strength of the person's taste. */
  assumed: number;
  reversed: number;
}

/** A person reverses an assumption when their own favourite among what it would have shown is this much better. */
const REVERSE_MARGIN = 0.02;

export async function runBaton(
  sim: SimWorld,
  person: SimPerson,
  briefPath: string,
  dir: string,
  options: { assume?: boolean; label?: string } = {},
): Promise<PolicyResult & { run: BatonRun }> {
  const modelId = `sim:${sim.world.name}`;
  const baton = Baton.open({ db: join(dir, `baton-${sim.seed}-${options.assume === false ? 'ask' : 'assume'}.db`), models: { [modelId]: () => sim.port() }, concurrency: 2 });
  const assume = options.assume ?? true;
  const run: BatonRun = { checkpoints: 0, assumed: 0, reversed: 0 };
  try {
    const id = await baton.start(briefPath, { seed: sim.seed });
    const texts = async (): Promise<Map<string, string>> => new Map((await baton.store.listCandidates(id)).map((c) => [c.id, c.text]));
    let outcome = await baton.run(id, { assume });
    let interventions = 0;
    let accepted: string | undefined;
    while (outcome.status === 'awaiting') {
      const byId = await texts();
      const pruned = new Set((await baton.show(id)).candidates.filter((c) => c.pruned).map((c) => c.id));
      for (const item of outcome.board.assumed ?? []) {
        if (item.reversed) continue;
        const shown = (await assumptionShown(baton, id, item.assumptionId)).filter((c) => byId.has(c));
        const picked = item.candidateIds[0] as string;
        const best = Math.max(...shown.map((c) => person.utility(byId.get(c) as string)));
        if (best > person.utility(byId.get(picked) as string) + REVERSE_MARGIN) {
          await baton.reverse(id, { assumption: item.assumptionId, reason: 'I would have followed another one' });
          interventions += 1;
          run.reversed += 1;
        }
      }
      interventions += 1;
      run.checkpoints += 1;
      for (const c of pruned) byId.delete(c);
      const decision = decide(outcome, byId, person);
      if (decision.action === 'accept') accepted = byId.get(decision.candidateIds?.[0] as string);
      outcome = (await baton.decide(id, { ...decision, run: { assume } })).outcome;
    }
    const byId = await texts();
    const view = await baton.show(id);
    run.assumed = view.ledger.filter((e) => e.kind === 'assumption').length;
    // An exploration that ended without the person (nothing left, between checkpoints) is
    // settled like TERMINATE: the person picks from the tree, one more intervention.
    if (accepted === undefined) {
      const all = [...byId.values()];
      accepted = all[person.favourite(all)] as string;
      interventions += 1;
    }
    const spend = await baton.store.spend(id);
    return { policy: options.label ?? 'Baton', accepted, interventions, calls: spend.calls, produced: [...byId.values()], run };
  } finally {
    await baton.close();
  }
}

async function assumptionShown(baton: Baton, id: string, assumptionId: string): Promise<string[]> {
  const view = await baton.show(id);
  return view.ledger.find((e) => e.assumption?.id === assumptionId)?.shown ?? [];
}

/**
 * The person's answer: at the end (budget spent, nothing left) accept their favourite of the
 * whole tree; otherwise deepen their favourite card on the board.
 */
function decide(outcome: RunOutcome, texts: Map<string, string>, person: SimPerson): DecideOptions {
  const terminal = outcome.board.reasons.some((r) => r.key === 'budget:spent' || r.key === 'exhausted');
  if (terminal) {
    const ids = [...texts.keys()];
    const favourite = ids[person.favourite(ids.map((c) => texts.get(c) as string))] as string;
    return { action: 'accept', candidateIds: [favourite], reason: 'my favourite of everything explored' };
  }
  const cards = outcome.board.cards.map((c) => c.candidateId).filter((c) => texts.has(c));
  const favourite = cards[person.favourite(cards.map((c) => texts.get(c) as string))];
  if (favourite === undefined) return { action: 'continue', reason: 'nothing to choose yet' };
  return { action: 'deepen', candidateIds: [favourite], reason: 'closest to what I want' };
}
