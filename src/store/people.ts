import { BatonError } from '../errors.js';

/**
 * People and shares, the part of the `Store` port a shared server needs (DESIGN.md's person): a
 * person is a name and the SHA-256 of their token — the token itself is never stored; a share
 * gives one person read access to one exploration, or the right to decide there too. The SQL is
 * the same for every store (plain tables, `$n` parameters), so it lives here once; each adapter
 * only says how to run a statement.
 */

export type Access = 'read' | 'decide';

export interface Person {
  name: string;
  createdAt: string;
}

export interface Share {
  explorationId: string;
  person: string;
  access: Access;
  createdAt: string;
}

export interface NewPerson {
  name: string;
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  createdAt: string;
}

/** The people half of the `Store` port. */
export interface PeopleStore {
  /** Refused (`conflict`) when the name is taken. */
  addPerson(input: NewPerson): Promise<Person>;
  /** By name. */
  listPeople(): Promise<Person[]>;
  /** Removes the person and their shares; their decisions keep their name. False when there was none. */
  removePerson(name: string): Promise<boolean>;
  /** The person whose token hashes to `tokenHash`. */
  personByTokenHash(tokenHash: string): Promise<Person | undefined>;
  /** Gives (or changes) a person's access to an exploration. */
  share(input: Share): Promise<Share>;
  /** Takes it away; false when there was none. */
  unshare(explorationId: string, person: string): Promise<boolean>;
  /** Shares of one exploration, or all, by exploration then person. */
  listShares(explorationId?: string): Promise<Share[]>;
}

/** Runs one statement (`$1`, `$2`… parameters) and returns its rows and how many it changed. */
export type RunSql = (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[]; changes: number }>;

interface PersonRow {
  name: string;
  created_at: string;
}

interface ShareRow {
  exploration_id: string;
  person: string;
  access: string;
  created_at: string;
}

const toPerson = (row: Record<string, unknown>): Person => {
  const r = row as unknown as PersonRow;
  return { name: r.name, createdAt: r.created_at };
};

const toShare = (row: Record<string, unknown>): Share => {
  const r = row as unknown as ShareRow;
  if (r.access !== 'read' && r.access !== 'decide') throw new BatonError('internal', `shares.access of ${r.exploration_id}/${r.person} is "${r.access}"`);
  return { explorationId: r.exploration_id, person: r.person, access: r.access, createdAt: r.created_at };
};

/** The people half of a store, over any `RunSql`. */
export function peopleStore(run: RunSql): PeopleStore {
  return {
    async addPerson(input) {
      const taken = await run('SELECT name FROM people WHERE name = $1', [input.name]);
      if (taken.rows.length > 0) throw new BatonError('conflict', `There is already a person named "${input.name}": pick another name, or remove them first (baton user remove ${input.name}).`);
      await run('INSERT INTO people (name, token_hash, created_at) VALUES ($1, $2, $3)', [input.name, input.tokenHash, input.createdAt]);
      return { name: input.name, createdAt: input.createdAt };
    },
    async listPeople() {
      return (await run('SELECT name, created_at FROM people ORDER BY name', [])).rows.map(toPerson);
    },
    async removePerson(name) {
      // Shares go with the person (ON DELETE CASCADE); decisions keep the name they were made under.
      return (await run('DELETE FROM people WHERE name = $1', [name])).changes > 0;
    },
    async personByTokenHash(tokenHash) {
      const row = (await run('SELECT name, created_at FROM people WHERE token_hash = $1', [tokenHash])).rows[0];
      return row ? toPerson(row) : undefined;
    },
    async share(input) {
      if ((await run('SELECT name FROM people WHERE name = $1', [input.person])).rows.length === 0) {
        throw new BatonError('invalid_input', `No person named "${input.person}": add them first (baton user add ${input.person}).`, { location: { field: 'user' } });
      }
      if ((await run('SELECT id FROM explorations WHERE id = $1', [input.explorationId])).rows.length === 0) {
        throw new BatonError('not_found', `No exploration ${input.explorationId}.`, { location: { field: 'exploration' } });
      }
      await run(
        `INSERT INTO shares (exploration_id, person, access, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (exploration_id, person) DO UPDATE SET access = excluded.access`,
        [input.explorationId, input.person, input.access, input.createdAt],
      );
      const row = (await run('SELECT * FROM shares WHERE exploration_id = $1 AND person = $2', [input.explorationId, input.person])).rows[0];
      return toShare(row as Record<string, unknown>);
    },
    async unshare(explorationId, person) {
      return (await run('DELETE FROM shares WHERE exploration_id = $1 AND person = $2', [explorationId, person])).changes > 0;
    },
    async listShares(explorationId) {
      const { rows } =
        explorationId === undefined
          ? await run('SELECT * FROM shares ORDER BY exploration_id, person', [])
          : await run('SELECT * FROM shares WHERE exploration_id = $1 ORDER BY person', [explorationId]);
      return rows.map(toShare);
    },
  };
}
