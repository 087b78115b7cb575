import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import type { Actor } from '../team/people.js';
import { OWNER } from '../team/people.js';
import { CSRF_HEADER } from './contract.js';
import { HttpProblem, sendProblem } from './problems.js';

/**
 * The server's guards, in the order they run: security headers on every response; the Host
 * header against an allowlist (DNS rebinding); the launch token → session cookie exchange;
 * authentication of the API (cookie or `Authorization: Bearer`); and for every state-changing
 * request and the event stream, a same-origin check plus, for cookie sessions, the CSRF header.
 * No CORS headers are ever sent, so other origins cannot read anything.
 */

export interface Secrets {
  /** Printed once in the URL; exchanged for a session cookie, or sent as a Bearer token. */
  token: string;
  csrfToken: string;
  /** Session ids handed out in cookies during this launch. */
  sessions: Set<string>;
  /** Sessions that belong to a person (signed in with their own token), by session id. */
  personSessions: Map<string, string>;
  /**
   * The person whose token this is (`baton user add`), when the store has people; a person's
   * token signs them in as the launch token signs in the owner.
   */
  findPerson?: (token: string) => Promise<string | undefined>;
}

export function newSecrets(token?: string): Secrets {
  return { token: token ?? randomSecret(), csrfToken: randomSecret(), sessions: new Set(), personSessions: new Map() };
}

/** Who each authenticated request is (set by the guard); the owner unless a person signed in. */
const ACTORS = new WeakMap<Request, Actor>();

/** Who is acting in this request: the owner (launch token), or a person. */
export function actorOf(request: Request): Actor {
  return ACTORS.get(request) ?? OWNER;
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares secrets in constant time (hashing first, so lengths do not leak either). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Where the server listens, known once it does (port 0 picks a free port). */
export interface Listening {
  port: number;
  /** Host names (without port) that may appear in the Host header. */
  hostNames: string[];
}

export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The cookie's name carries the port: cookies ignore ports, two servers must not clash. */
export function cookieName(listening: Listening): string {
  return `baton_session_${listening.port}`;
}

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    xFrameOptions: 'DENY',
    // Plain http on loopback: HSTS would be meaningless (and sticky for other local servers).
    strictTransportSecurity: false,
  });
}

/** 403 unless the Host header names this server: a rebound DNS name never does. */
export function hostAllowlist(listening: Listening): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host')?.toLowerCase();
    const allowed = listening.hostNames.some((name) => host === `${name}:${listening.port}`);
    if (!allowed) return sendProblem(c, new HttpProblem('forbidden', `Host "${host ?? ''}" is not this server; open the URL that baton serve printed`, 'host'));
    await next();
  };
}

/** `GET /?token=…`: a valid token becomes an HttpOnly session cookie, and the token leaves the URL. */
export function tokenExchange(secrets: Secrets, listening: Listening): MiddlewareHandler {
  return async (c, next) => {
    const token = c.req.query('token');
    if (c.req.method !== 'GET' || c.req.path !== '/' || token === undefined) return next();
    const person = sameSecret(token, secrets.token) ? undefined : await secrets.findPerson?.(token);
    if (!sameSecret(token, secrets.token) && person === undefined) {
      return sendProblem(c, new HttpProblem('unauthorized', 'this link\'s token is not valid for this server (it changes at every launch); open the URL that baton serve printed', 'token'));
    }
    const session = randomSecret();
    secrets.sessions.add(session);
    if (person !== undefined) secrets.personSessions.set(session, person);
    setCookie(c, cookieName(listening), session, { httpOnly: true, sameSite: 'Strict', path: '/' });
    const rest = new URL(c.req.url).searchParams;
    rest.delete('token');
    const query = rest.toString();
    return c.redirect(query ? `/?${query}` : '/', 302);
  };
}

interface Auth {
  via: 'cookie' | 'bearer';
  actor: Actor;
}

async function authOf(c: Context, secrets: Secrets, listening: Listening): Promise<Auth | null> {
  const cookie = getCookie(c, cookieName(listening));
  const session = cookie === undefined ? undefined : [...secrets.sessions].find((s) => sameSecret(cookie, s));
  if (session !== undefined) {
    const person = secrets.personSessions.get(session);
    return { via: 'cookie', actor: person === undefined ? OWNER : { kind: 'person', name: person } };
  }
  const header = c.req.header('authorization');
  const bearer = header?.match(/^Bearer\s+(\S+)\s*$/iu)?.[1];
  if (bearer === undefined) return null;
  if (sameSecret(bearer, secrets.token)) return { via: 'bearer', actor: OWNER };
  const person = await secrets.findPerson?.(bearer);
  return person === undefined ? null : { via: 'bearer', actor: { kind: 'person', name: person } };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The API's guard: authenticated (401), and for state-changing requests and the event stream,
 * same-origin (403) with the CSRF header for cookie sessions (403).
 */
export function apiGuard(secrets: Secrets, listening: Listening): MiddlewareHandler {
  return async (c, next) => {
    const auth = await authOf(c, secrets, listening);
    if (!auth) {
      c.header('WWW-Authenticate', 'Bearer realm="baton"');
      return sendProblem(c, new HttpProblem('unauthorized', 'not signed in: open the URL that baton serve printed (it carries this launch\'s token), or send Authorization: Bearer TOKEN'));
    }
    const changing = STATE_CHANGING.has(c.req.method);
    if (changing || c.req.path.endsWith('/events')) {
      const foreign = foreignOrigin(c, auth.via === 'cookie' && changing);
      if (foreign) return sendProblem(c, new HttpProblem('forbidden', foreign, 'origin'));
    }
    if (changing && auth.via === 'cookie' && !sameSecret(c.req.header(CSRF_HEADER), secrets.csrfToken)) {
      return sendProblem(c, new HttpProblem('forbidden', `missing or wrong ${CSRF_HEADER} header (get it from GET /api/session)`, CSRF_HEADER));
    }
    ACTORS.set(c.req.raw, auth.actor);
    await next();
  };
}

/** Why the request is not same-origin, or null. `required`: a missing Origin is refused too. */
function foreignOrigin(c: Context, required: boolean): string | null {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request is refused`;
  if (origin === undefined) return required ? 'the Origin header is missing' : null;
  // The Host header has passed the allowlist already, so this is the server's own origin.
  const own = `http://${c.req.header('host') ?? ''}`.toLowerCase();
  return origin.toLowerCase() === own ? null : `Origin ${origin} is not this server`;
}
