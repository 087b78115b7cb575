import type { Baton } from '../baton.js';
import { BatonError } from '../errors.js';
import type { Brief } from '../brief/schema.js';

/** What every part of the MCP server shares. */
export interface McpContext {
  baton: Baton;
  /** Let briefs that arrive over MCP run `module:` checks (code from disk). Default false. */
  allowModules: boolean;
  /** The operator's log (stderr): bugs with their stacks, never a client's data. */
  log: (line: string) => void;
  runs: ExclusiveRuns;
  /** Something changed an exploration: subscribers should look now rather than at the next poll. */
  changed: (explorationId: string) => void;
}

/**
 * At most one run (or decision that runs on) per exploration at a time in this server: a second
 * is a `conflict`, not two engines writing the same tree. `busy` adds runs this server knows of
 * elsewhere (the HTTP server's background runs).
 */
export class ExclusiveRuns {
  readonly #running = new Map<string, Promise<unknown>>();
  readonly #busy: (id: string) => boolean;

  constructor(busy: (id: string) => boolean = () => false) {
    this.#busy = busy;
  }

  async with<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (this.#running.has(id) || this.#busy(id)) {
      throw new BatonError('conflict', `exploration ${id} is running already; wait for its next checkpoint (read its board resource, or subscribe to it)`);
    }
    const running = work();
    this.#running.set(id, running);
    try {
      return await running;
    } finally {
      this.#running.delete(id);
    }
  }

  isRunning(id: string): boolean {
    return this.#running.has(id) || this.#busy(id);
  }

  /** Resolves once every run in progress has ended (closing aborts them; they stop after the moves in flight). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }
}

/**
 * A brief that arrives over MCP comes from whoever drives the client (an assistant, a prompt
 * injected into it): it may not make Baton load and run a JS module from disk unless the
 * operator allowed it when starting the server (`--allow-modules`).
 */
export async function refuseModuleChecks(baton: Baton, source: string, name: string, allowModules: boolean): Promise<Brief> {
  // Parsed in the brief worker, within its limits: a hostile brief cannot stall the server.
  const brief = await baton.parseSource(source, name);
  if (allowModules) return brief;
  const modules = [
    ...brief.criteria.flatMap((c, i) => (c.check?.module !== undefined ? [`criteria.${i}.check.module`] : [])),
    ...brief.constraints.flatMap((c, i) => (c.kind === 'check' && c.check.module !== undefined ? [`constraints.${i}.module`] : [])),
  ];
  if (modules.length > 0) {
    throw new BatonError('invalid_input', `${name}: a brief sent over MCP may not run \`module:\` checks (${modules.join(', ')}); use the other checks, or start the server with --allow-modules if you trust every client`, {
      location: { file: name, field: modules[0] as string },
    });
  }
  return brief;
}
