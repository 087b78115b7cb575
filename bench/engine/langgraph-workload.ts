import { Annotation, Command, END, interrupt, MemorySaver, Send, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { candidateText, judgeAnswer, timed } from './fake-model.js';
import type { ModelClock } from './fake-model.js';
import { mapLimit } from '../../src/explore/engine.js';
import { CRITERIA } from './baton-workload.js';

/**
 * The same exploration workload written the way LangGraph.js is meant to be used: a StateGraph
 * whose `plan` router fans moves out with `Send` (an `open` per path, then a `deepen` per open
 * leaf), a `judge` node that scores the wave's drafts, and a `checkpoint` node that pauses with
 * `interrupt()` and is resumed with `Command({ resume })`. State is checkpointed by SqliteSaver
 * on a file with `durability: 'sync'` (each step durable before the next starts), as Baton is.
 * It calls the same fake model; it does no novelty or policy work of its own.
 */

interface Draft {
  id: string;
  path: number;
  depth: number;
  parentId: string | null;
  text: string;
}

interface Judged extends Draft {
  quality: number;
  critique: string;
}

const ExplorationState = Annotation.Root({
  /** Every judged candidate: the exploration tree. */
  candidates: Annotation<Judged[]>({ reducer: (all, added) => all.concat(added), default: () => [] }),
  /** The current wave's drafts, waiting for the judge; the judge empties it. */
  drafts: Annotation<Draft[] | null>({ reducer: (all, added) => (added === null ? [] : (all ?? []).concat(added)), default: () => [] }),
  /** Checkpoints raised so far. */
  raised: Annotation<number>({ reducer: (_, next) => next, default: () => 0 }),
});
type State = typeof ExplorationState.State;

interface MoveInput {
  path: number;
  depth: number;
  parent: Judged | null;
}

export interface LangGraphSetup {
  /** SQLite file for SqliteSaver; `null` for the in-memory saver. */
  dbPath: string | null;
  paths: number;
  depth: number;
  /** Depths after whose wave the graph pauses for a person (besides the end). */
  pauseAtDepths: number[];
  concurrency: number;
  clock: ModelClock;
  latencyMs?: number;
}

export function buildExplorationGraph(setup: LangGraphSetup) {
  const latency = setup.latencyMs ?? 0;
  const write = (input: MoveInput) => {
    const key = input.parent ? `1:${input.parent.id}` : `1:path-${input.path}`;
    return timed(setup.clock, latency, () => candidateText(key, input.depth));
  };

  const plan = (state: State): Send[] | typeof END | 'checkpoint' => {
    if (state.candidates.length === 0) {
      return Array.from({ length: setup.paths }, (_, path) => new Send('open', { path, depth: 1, parent: null }));
    }
    const leaves = new Map<number, Judged>();
    for (const c of state.candidates) if ((leaves.get(c.path)?.depth ?? 0) < c.depth) leaves.set(c.path, c);
    const sends = [...leaves.values()].filter((leaf) => leaf.depth < setup.depth).map((leaf) => new Send('deepen', { path: leaf.path, depth: leaf.depth + 1, parent: leaf }));
    if (sends.length > 0) return sends;
    return state.raised > setup.pauseAtDepths.length ? END : 'checkpoint';
  };

  const move = async (input: MoveInput): Promise<Partial<State>> => {
    const text = await write(input);
    const id = `p${input.path}.d${input.depth}`;
    return { drafts: [{ id, path: input.path, depth: input.depth, parentId: input.parent?.id ?? null, text }] };
  };

  const judge = async (state: State): Promise<Partial<State>> => {
    const drafts = state.drafts ?? [];
    // The wave's drafts are judged in this one node (one superstep, one checkpoint: cheaper for
    // LangGraph than a judge task per draft), at most `concurrency` calls at once, as in Baton.
    const settled = await mapLimit(drafts, setup.concurrency, async (draft) => {
        const answer = JSON.parse(await timed(setup.clock, latency, () => judgeAnswer(draft.text, CRITERIA))) as { scores: { score: number }[]; critique: string };
        const quality = answer.scores.reduce((sum, s) => sum + s.score, 0) / (10 * answer.scores.length);
      return { ...draft, quality, critique: answer.critique };
    });
    const judged = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    return { candidates: judged, drafts: null };
  };

  const checkpoint = (state: State): Partial<State> => {
    const best = state.candidates.reduce<Judged | undefined>((a, c) => (a && a.quality >= c.quality ? a : c), undefined);
    const decision = interrupt({ reason: 'checkpoint', best: best?.id ?? null, candidates: state.candidates.length }) as string;
    if (decision !== 'continue') throw new Error(`unexpected decision ${decision}`);
    return { raised: state.raised + 1 };
  };

  const afterJudge = (state: State): 'checkpoint' | 'plan' => {
    const depth = Math.max(...state.candidates.map((c) => c.depth));
    const due = setup.pauseAtDepths[state.raised];
    return due !== undefined && depth >= due ? 'checkpoint' : 'plan';
  };

  return new StateGraph(ExplorationState)
    .addNode('plan', () => ({}))
    .addNode('open', move)
    .addNode('deepen', move)
    .addNode('judge', judge)
    .addNode('checkpoint', checkpoint)
    .addEdge(START, 'plan')
    .addConditionalEdges('plan', plan, ['open', 'deepen', 'checkpoint', END])
    .addEdge('open', 'judge')
    .addEdge('deepen', 'judge')
    .addConditionalEdges('judge', afterJudge, ['checkpoint', 'plan'])
    .addEdge('checkpoint', 'plan');
}

export interface LangGraphWorkloadResult {
  moves: number;
  wallMs: number;
  modelMs: number;
  checkpoints: number;
  resumeMs: number[];
  textBytes: number;
}

function saverFor(setup: LangGraphSetup) {
  return setup.dbPath === null ? new MemorySaver() : SqliteSaver.fromConnString(setup.dbPath);
}

/**
 * Runs the graph to the end, resuming each interrupt with `continue`. `reopen`: each resume
 * compiles the graph on a fresh saver over the same file (as a new process would).
 */
export async function runLangGraphWorkload(setup: LangGraphSetup, reopen: boolean): Promise<LangGraphWorkloadResult> {
  const graph = buildExplorationGraph(setup);
  let saver = saverFor(setup);
  let app = graph.compile({ checkpointer: saver });
  const config = { configurable: { thread_id: 'bench' }, durability: 'sync' as const, recursionLimit: 10_000, maxConcurrency: setup.concurrency };
  const started = performance.now();
  let result = (await app.invoke({}, config)) as Record<string, unknown>;
  const resumeMs: number[] = [];
  let checkpoints = 0;
  while ('__interrupt__' in result) {
    checkpoints += 1;
    const calls = setup.clock.calls;
    setup.clock.mark();
    const resumeStarted = performance.now();
    if (reopen && setup.dbPath !== null) {
      closeSaver(saver);
      saver = saverFor(setup);
      app = graph.compile({ checkpointer: saver });
    }
    result = (await app.invoke(new Command({ resume: 'continue' }), config)) as Record<string, unknown>;
    const first = setup.clock.firstCallAt;
    if (first !== undefined && setup.clock.calls > calls) resumeMs.push(first - resumeStarted);
  }
  const wallMs = performance.now() - started;
  const candidates = result.candidates as Judged[];
  const textBytes = candidates.reduce((sum, c) => sum + Buffer.byteLength(c.text), 0);
  closeSaver(saver);
  return { moves: candidates.length, wallMs, modelMs: setup.clock.spentMs, checkpoints, resumeMs, textBytes };
}

function closeSaver(saver: MemorySaver | SqliteSaver): void {
  if (saver instanceof SqliteSaver) saver.db.close();
}
