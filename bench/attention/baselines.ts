import type { Brief, Lens, ModelPort, ModelTask } from '../../src/index.js';
import type { SimPerson } from './person.js';
import type { SimWorld } from './sim.js';

/**
 * The search baselines, on the same simulated model port, world and seed as Baton (ALWAYS,
 * TERMINATE and NEVER run on Baton's own engine: see `baton-policy.ts`). Each counts its model
 * calls (writer and judge) and its human interventions.
 *
 * - best-of-N: N openings across the lenses; the judge's best. N uses the whole call budget.
 * - ToT-BFS (Tree of Thoughts, breadth-first): open every lens, keep the judge's top `breadth`,
 *   expand each into two deepenings per level, keep the top `breadth` again, to `depth` levels
 *   (or the budget); the person picks at the end among the final frontier.
 */

export interface PolicyResult {
  policy: string;
  /** The accepted candidate's text. */
  accepted: string;
  interventions: number;
  calls: number;
  /** Every text the policy produced (for the best attainable utility). */
  produced: string[];
}

interface Node {
  text: string;
  lens: Lens;
  depth: number;
  /** The judge's quality, 0–1. */
  judged: number;
  parent: Node | null;
  exhausted: boolean;
}

/** Runs moves on the port and judges them, counting calls and refusing to overspend. */
class Explorer {
  readonly nodes: Node[] = [];
  calls = 0;
  private readonly port: ModelPort;
  private readonly brief: Brief;
  private readonly budget: number;

  constructor(sim: SimWorld, brief: Brief, budget = sim.world.budget.calls) {
    this.port = sim.port();
    this.brief = brief;
    this.budget = budget;
  }

  canMove(): boolean {
    return this.budget - this.calls >= 2;
  }

  async open(lens: Lens): Promise<Node> {
    return this.add(await this.ask({ kind: 'open', brief: this.brief, lens }), lens, 1, null);
  }

  async deepen(parent: Node): Promise<Node> {
    const task: ModelTask = { kind: 'deepen', brief: this.brief, lens: parent.lens, parent: { id: 'p', text: parent.text, lens: parent.lens, depth: parent.depth }, critique: '', focus: [] };
    const child = await this.add(await this.ask(task), parent.lens, parent.depth + 1, parent);
    parent.exhausted = true; // not a leaf any more
    return child;
  }

  private async add(text: string, lens: Lens, depth: number, parent: Node | null): Promise<Node> {
    const judged = this.quality(await this.ask({ kind: 'judge', brief: this.brief, candidate: { text } }));
    // Baton's plateau rule: a path whose last two deepenings gained under 3 points is exhausted.
    const base = parent?.parent;
    const node: Node = { text, lens, depth, judged, parent, exhausted: base !== undefined && base !== null && judged - base.judged < 0.03 };
    this.nodes.push(node);
    return node;
  }

  private async ask(task: ModelTask): Promise<string> {
    this.calls += 1;
    const response = await this.port.complete({ task, messages: [], seed: 0 });
    return response.text;
  }

  private quality(answer: string): number {
    const parsed = JSON.parse(answer) as { scores: Array<{ criterion: string; score: number }> };
    const weights = new Map(this.brief.criteria.map((c) => [c.id, c.weight]));
    let sum = 0;
    let total = 0;
    for (const s of parsed.scores) {
      const w = weights.get(s.criterion) ?? 1;
      sum += w * s.score;
      total += w;
    }
    return total > 0 ? sum / (10 * total) : 0;
  }

}

function judgesBest(nodes: readonly Node[]): Node {
  return nodes.reduce((best, n) => (n.judged > best.judged ? n : best));
}

export async function runBestOfN(sim: SimWorld, brief: Brief, lenses: readonly Lens[]): Promise<PolicyResult> {
  const explorer = new Explorer(sim, brief);
  for (let i = 0; explorer.canMove(); i++) await explorer.open(lenses[i % lenses.length] as Lens);
  return finish('best-of-N', explorer, judgesBest(explorer.nodes), 0);
}

export const TOT = { breadth: 5, depth: 4, children: 2 } as const;

/**
 * ToT-BFS. Unbounded (`budget` Infinity) it gets what its breadth and depth need; at a budget it
 * stops when the calls run out, like the others. The person picks from the final frontier plus
 * the best of the rest, up to `boardSize` — the same size as Baton's last board.
 */
export async function runTotBfs(sim: SimWorld, person: SimPerson, brief: Brief, lenses: readonly Lens[], budget = Number.POSITIVE_INFINITY, boardSize = 8): Promise<PolicyResult> {
  const explorer = new Explorer(sim, brief, budget);
  let frontier: Node[] = [];
  for (const lens of lenses) if (explorer.canMove()) frontier.push(await explorer.open(lens));
  frontier = top(frontier, TOT.breadth);
  for (let level = 0; level < TOT.depth && explorer.canMove(); level++) {
    const children: Node[] = [];
    for (const node of frontier) for (let k = 0; k < TOT.children && explorer.canMove(); k++) children.push(await explorer.deepen(node));
    if (children.length === 0) break;
    frontier = top([...children, ...frontier.filter((n) => !children.some((c) => c.parent === n))], TOT.breadth);
  }
  const shown = top([...frontier, ...top(explorer.nodes, boardSize)].filter((n, i, all) => all.indexOf(n) === i), boardSize);
  return finish(Number.isFinite(budget) ? 'ToT-BFS@budget' : 'ToT-BFS', explorer, shown[person.favourite(shown.map((n) => n.text))] as Node, 1);
}

function top(nodes: readonly Node[], k: number): Node[] {
  return [...nodes].sort((a, b) => b.judged - a.judged).slice(0, k);
}

function finish(policy: string, explorer: Explorer, accepted: Node, interventions: number): PolicyResult {
  return { policy, accepted: accepted.text, interventions, calls: explorer.calls, produced: explorer.nodes.map((n) => n.text) };
}
