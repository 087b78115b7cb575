import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../../src/server/server.js';
import { REPO_ROOT } from '../support/cli.js';

/**
 * The browser tests' machinery: Debian's Chromium (never a downloaded browser) driven by
 * playwright-core, and the server of `baton serve` on 127.0.0.1 over a temp SQLite file.
 */

export const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');

/**
 * Whether the browser tests can run. Without Chromium they are skipped with a message on a
 * developer's machine; in CI (`CI` set) a missing Chromium is a failure, never a silent skip.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does: apt-get install chromium)`);
  console.warn(`Skipping the browser tests: ${CHROMIUM} is not installed (apt-get install chromium, or set BATON_CHROMIUM).`);
  return false;
}

/** Chromium with a fresh profile: playwright-core makes a new temp user-data-dir per launch and removes it. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface Served {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The URL `baton serve` prints, with its token. */
  tokenUrl: string;
  /** What the server logged (internal errors with their stacks go here, not to the browser). */
  log: string[];
  stop: () => Promise<void>;
}

/** Starts the server `baton serve` runs, on 127.0.0.1 and a free port, over `dbPath`. */
export async function startServe(dbPath: string, cwd: string, options: { latencyMs?: number } = {}): Promise<Served> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'web', 'index.html'))) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  const log: string[] = [];
  const server = await startServer({
    db: dbPath,
    port: 0,
    cwd,
    env: { ...process.env, BATON_DB: undefined },
    log: (line) => log.push(line),
    ...(options.latencyMs !== undefined ? { baton: { latencyMs: options.latencyMs } } : {}),
  });
  return { origin: server.origin, tokenUrl: server.url, log, stop: () => server.close() };
}

/**
 * Watches a page for Content-Security-Policy violations (console messages and the DOM's
 * `securitypolicyviolation` events) and script errors.
 */
export async function watchPage(page: Page): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused/i.test(text)) problems.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A string: this runs in the page, and the tests are typechecked without the DOM's types.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('Refused: CSP violation of ' + event.violatedDirective + ' by ' + event.blockedURI);
    });`,
  });
  return { problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Retries an assertion until it passes (or the time is up, then throws its last failure): the
 * page updates asynchronously, and playwright-core has no auto-waiting `expect` of its own.
 */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}
