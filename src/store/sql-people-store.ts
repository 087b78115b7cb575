import type { NewPerson, PeopleStore, Person, RunSql, Share } from './people.js';
import { peopleStore } from './people.js';

/**
 * The people half of the `Store` port for an adapter that speaks SQL. The statements are the same
 * for every store (`peopleStore`, ./people.ts); an adapter extends this class, says how to run one
 * statement (`runPeopleSql`), and inherits the seven people methods instead of writing the
 * delegation again.
 *
 * @example
 * class MyStore extends SqlPeopleStore implements Store {
 *   protected async runPeopleSql(sql: string, params: unknown[]) { … }
 * }
 */
export abstract class SqlPeopleStore implements PeopleStore {
  // Statements run through the subclass's `runPeopleSql`, called only once a person is asked for.
  readonly #people: PeopleStore = peopleStore((sql, params) => this.runPeopleSql(sql, params));

  /** Runs one statement of ./people.ts (`$1`, `$2`… parameters): its rows, and how many rows it changed. */
  protected abstract runPeopleSql(...args: Parameters<RunSql>): ReturnType<RunSql>;

  addPerson(input: NewPerson): Promise<Person> {
    return this.#people.addPerson(input);
  }
  listPeople(): Promise<Person[]> {
    return this.#people.listPeople();
  }
  removePerson(name: string): Promise<boolean> {
    return this.#people.removePerson(name);
  }
  personByTokenHash(tokenHash: string): Promise<Person | undefined> {
    return this.#people.personByTokenHash(tokenHash);
  }
  share(input: Share): Promise<Share> {
    return this.#people.share(input);
  }
  unshare(explorationId: string, person: string): Promise<boolean> {
    return this.#people.unshare(explorationId, person);
  }
  listShares(explorationId?: string): Promise<Share[]> {
    return this.#people.listShares(explorationId);
  }
}
