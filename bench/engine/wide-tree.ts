import { Annotation, Command, MemorySaver, Send, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { recordedCall } from '../../src/explore/calls.js';
import { mapLimit } from '../../src/explore/engine.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { benchLenses, createBenchExploration } from './baton-workload.js';
import type { ModelClock } from './fake-model.js';
import { candidateText, fakePort, timed } from './fake-model.js';
import { CRITERIA } from './baton-workload.js';

/**
 * A wide tree: `width` openings, each branching `width` ways, `levels` deep (8, 8, 3: 584 model
 * calls). Every call of a level can run at once, so the ideal wall time is levels × latency.
 *
 * Baton runs it through its call pipeline: the engine's `mapLimit` fan-out and `recordedCall`
 * (a durable intent row before each request, a durable result row after). LangGraph.js runs it
 * with `Send`: each node returns `Command({ goto: [Send × width] })`, checkpointed by
 * SqliteSaver with `durability: 'sync'`.
 */

export interface WideTreeSetup {
  dbPath: string;
  width: number;
  levels: number;
  latencyMs: number;
  clock: ModelClock;
}

export interface WideTreeResult {
  calls: number;
  /** Mean time a model call took (latency asked for, plus timer lateness). */
  meanCallMs: number;
  wallMs: number;
  idealMs: number;
  efficiency: number;
}

export function wideTreeCalls(width: number, levels: number): number {
  let total = 0;
  for (let level = 1; level <= levels; level += 1) total += width ** level;
  return total;
}

export async function batonWideTree(setup: WideTreeSetup): Promise<WideTreeResult> {
  const store = openSqliteStore(setup.dbPath);
  const explorationId = await createBenchExploration(store, { lenses: 1, attention: 3 });
  const port = fakePort({ clock: setup.clock, criteria: CRITERIA, latencyMs: setup.latencyMs });
  const lens = benchLenses(1)[0] as NonNullable<ReturnType<typeof benchLenses>[0]>;
  const brief = (await store.getBrief((await store.getExploration(explorationId))?.briefId ?? ''))?.brief;
  if (!brief) throw new Error('bench brief missing');
  const started = performance.now();
  let level: string[] = [''];
  let calls = 0;
  for (let depth = 1; depth <= setup.levels; depth += 1) {
    const children = level.flatMap((parent) => Array.from({ length: setup.width }, (_, i) => `${parent}${i}`));
    const settled = await mapLimit(children, children.length, (id) =>
      recordedCall({
        store,
        key: `wide:${id}:write`,
        explorationId,
        purpose: depth === 1 ? 'open' : 'deepen',
        port,
        task: depth === 1 ? { kind: 'open', brief, lens } : { kind: 'deepen', brief, lens, parent: { id: id.slice(0, -1), text: '', lens, depth: depth - 1 }, critique: '', focus: [] },
        seed: 1,
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    calls += children.length;
    level = children;
  }
  const wallMs = performance.now() - started;
  await store.close();
  const idealMs = setup.levels * setup.latencyMs;
  return { calls, meanCallMs: setup.clock.spentMs / setup.clock.calls, wallMs, idealMs, efficiency: idealMs / wallMs };
}

const TreeState = Annotation.Root({
  texts: Annotation<string[]>({ reducer: (all, added) => all.concat(added), default: () => [] }),
});

interface Branch {
  id: string;
  depth: number;
}

export async function langGraphWideTree(setup: WideTreeSetup & { durable: boolean }): Promise<WideTreeResult> {
  const expand = async (branch: Branch) => {
    const text = await timed(setup.clock, setup.latencyMs, () => candidateText(`wide:${branch.id}`, branch.depth));
    const goto =
      branch.depth < setup.levels ? Array.from({ length: setup.width }, (_, i) => new Send('expand', { id: `${branch.id}${i}`, depth: branch.depth + 1 })) : [];
    return new Command({ update: { texts: [text] }, goto });
  };
  const graph = new StateGraph(TreeState)
    .addNode('expand', expand, { ends: ['expand'] })
    .addConditionalEdges(START, () => Array.from({ length: setup.width }, (_, i) => new Send('expand', { id: `${i}`, depth: 1 })), ['expand']);
  const saver = setup.durable ? SqliteSaver.fromConnString(setup.dbPath) : new MemorySaver();
  const app = graph.compile({ checkpointer: saver });
  const started = performance.now();
  const result = (await app.invoke({}, { configurable: { thread_id: 'wide' }, durability: 'sync', recursionLimit: 100 })) as { texts: string[] };
  const wallMs = performance.now() - started;
  if (saver instanceof SqliteSaver) saver.db.close();
  const idealMs = setup.levels * setup.latencyMs;
  return { calls: result.texts.length, meanCallMs: setup.clock.spentMs / setup.clock.calls, wallMs, idealMs, efficiency: idealMs / wallMs };
}
