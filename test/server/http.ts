import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Raw HTTP for the server tests, through node:http rather than fetch: the tests must set headers
 * a browser's fetch never lets a page set (Host, Origin, Sec-Fetch-Site).
 */

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (with Content-Type: application/json) unless a string. */
  body?: unknown;
  /** Called once the whole request has been handed to the operating system. */
  onSent?: () => void;
}

export function send(port: number, path: string, options: HttpRequest = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.onSent) req.on('finish', options.onSent);
    req.end(payload);
  });
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** An open event stream: messages as they arrive, until `close()`. */
export interface EventStream {
  status: number;
  headers: IncomingHttpHeaders;
  messages: SseMessage[];
  /** Everything received, comments included. */
  raw: () => string;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves once a message matches (or rejects after `ms`). */
  until(match: (message: SseMessage) => boolean, ms?: number): Promise<SseMessage>;
  close(): void;
}

export function openEvents(port: number, path: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream', ...headers } }, (res) => {
      const messages: SseMessage[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let raw = '';
      const ended = new Promise<void>((done) => res.once('end', done));
      res.setEncoding('utf8').on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message = parseBlock(block);
          if (message) messages.push(message);
        }
        for (const wake of [...waiters]) wake();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        raw: () => raw,
        ended,
        until: (match, ms = 60_000) =>
          new Promise((found, fail) => {
            const check = (): boolean => {
              const hit = messages.find(match);
              if (!hit) return false;
              clearTimeout(timer);
              waiters.delete(wake);
              found(hit);
              return true;
            };
            const wake = (): void => void check();
            const timer = setTimeout(() => {
              waiters.delete(wake);
              fail(new Error(`no matching event within ${ms} ms; got ${messages.map((m) => m.event).join(', ')}`));
            }, ms);
            if (!check()) waiters.add(wake);
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function parseBlock(block: string): SseMessage | null {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /u, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && id === undefined) return null;
  return { ...(id !== undefined ? { id } : {}), event, data: data.join('\n') };
}
