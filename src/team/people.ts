import { createHash, randomBytes } from 'node:crypto';
import { BatonError } from '../errors.js';
import type { Access, Person } from '../store/people.js';
import type { Store } from '../store/store.js';

/**
 * People on a shared server (DESIGN.md's person): a name and their own token. The token is 256
 * random bits, shown once; the store keeps only its SHA-256. A slow password KDF (scrypt, argon2)
 * protects low-entropy secrets people choose; a 256-bit random token cannot be guessed, so a
 * leaked hash gives nothing to brute-force, and an unsalted hash lets the server find the person
 * by an indexed lookup instead of running a KDF against every row on each request.
 *
 * Access: the store's owner (the CLI, the server's launch token, MCP over stdio) may do anything.
 * A person sees only the explorations shared with them, and decides only where the share says
 * `decide`; an exploration a person starts is shared with them to decide.
 */

const NAME = /^[a-z][a-z0-9._-]{0,39}$/u;
const TOKEN_PREFIX = 'baton_person_';

/** Who is acting: the store's owner, or a person by name. */
export type Actor = { kind: 'owner' } | { kind: 'person'; name: string };

export const OWNER: Actor = { kind: 'owner' };

export function checkPersonName(name: string): string {
  if (!NAME.test(name)) {
    throw new BatonError('invalid_input', `"${name}" is not a person's name: lower-case letters, digits, ".", "_" or "-", starting with a letter, at most 40.`, {
      location: { field: 'name' },
    });
  }
  return name;
}

/** SHA-256 of a token, hex: what the store keeps and looks people up by. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a bearer token has the shape of a person's token (the launch token does not). */
export function isPersonToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

/** Adds a person; the token is returned once and never stored. */
export async function addPerson(store: Store, name: string, now: Date = new Date()): Promise<{ person: Person; token: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const person = await store.addPerson({ name: checkPersonName(name), tokenHash: tokenHash(token), createdAt: now.toISOString() });
  return { person, token };
}

/** The person a token belongs to, if any. */
export async function personOfToken(store: Store, token: string): Promise<Person | undefined> {
  if (!isPersonToken(token)) return undefined;
  return store.personByTokenHash(tokenHash(token));
}

/** What an actor may do with an exploration: the owner everything; a person what was shared. */
export async function accessOf(store: Store, actor: Actor, explorationId: string): Promise<Access | undefined> {
  if (actor.kind === 'owner') return 'decide';
  const shares = await store.listShares(explorationId);
  return shares.find((s) => s.person === actor.name)?.access;
}

/** Refuses (`forbidden`: 403 over HTTP) unless the actor has `wanted` access. */
export async function requireAccess(store: Store, actor: Actor, explorationId: string, wanted: Access): Promise<void> {
  const access = await accessOf(store, actor, explorationId);
  if (access === 'decide' || access === wanted) return;
  throw new BatonError(
    'forbidden',
    access === undefined
      ? `exploration ${explorationId} is not shared with ${actorName(actor)}`
      : `${actorName(actor)} may read exploration ${explorationId} but not decide there (ask its owner: baton share ${explorationId} ${actorName(actor)} --can decide)`,
    { location: { field: 'exploration' } },
  );
}

export function actorName(actor: Actor): string {
  return actor.kind === 'owner' ? 'the owner' : actor.name;
}

/** The decision's `actor` field for this actor: absent for the owner. */
export function actorField(actor: Actor): { actor?: string } {
  return actor.kind === 'person' ? { actor: actor.name } : {};
}

/** What a person starts (or forks) is shared with them to decide; the owner needs no share. */
export async function shareWithStarter(baton: { store: Store }, actor: Actor, explorationId: string): Promise<void> {
  if (actor.kind === 'person') await baton.store.share({ explorationId, person: actor.name, access: 'decide', createdAt: new Date().toISOString() });
}

/** Ids of the explorations an actor may see; undefined for the owner (all of them). */
export async function visibleTo(store: Store, actor: Actor): Promise<Set<string> | undefined> {
  if (actor.kind === 'owner') return undefined;
  return new Set((await store.listShares()).filter((s) => s.person === actor.name).map((s) => s.explorationId));
}
