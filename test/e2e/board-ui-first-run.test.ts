import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { BATON_BIN, tempDir } from '../support/cli.js';
import { browserAvailable, eventually, launchBrowser, screenshot, watchPage } from './browser.js';
import { layoutProblems, seriousA11yViolations } from './page-checks.js';

/**
 * The "done when", on a phone (390×844): a newcomer runs `baton demo` (the real binary,
 * as a process), opens the URL it prints on a phone-sized screen, decides at the board with a
 * reason, forks the exploration at the checkpoint it reached (no model call made again), accepts
 * a result on the fork and downloads the export. Each step fits the width, reads, passes axe, and
 * leaves a screenshot (`npm run screenshots`).
 */

const enabled = browserAvailable();
const PHONE = { width: 390, height: 844 };

async function checkView(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  const layout = await layoutProblems(page);
  expect(layout.overflow, `${name}: the page scrolls sideways`).toBe(0);
  expect(layout.squeezed, `${name}: text squeezed`).toEqual([]);
  expect(await seriousA11yViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, name);
}

async function callCount(db: string, id: string): Promise<number> {
  const store = openSqliteStore(db);
  try {
    return (await store.listCalls(id)).length;
  } finally {
    await store.close();
  }
}

describe.skipIf(!enabled)('the first run on a phone', { timeout: 240_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('demo, the board in the browser, a decision, a fork, an accepted result and its export', async () => {
    const dir = tempDir('baton-first-run-');
    const db = join(dir, 'baton.db');
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', BATON_DB: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [BATON_BIN, 'demo', '--open', '--db', db], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (chunk: string): void => {
          output += chunk;
          const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s&]+&exploration=[^\s]+/.exec(output);
          if (match) resolve(match[0]);
        };
        child.stdout.setEncoding('utf8').on('data', onData);
        child.stderr.setEncoding('utf8').on('data', onData);
        void exited.then((code) => reject(new Error(`baton demo exited (${code}) before printing a URL:\n${output}`)));
      });
      const source = new URL(url).searchParams.get('exploration') as string;

      const context = await browser.newContext({ viewport: PHONE, acceptDownloads: true });
      const page = await context.newPage();
      const { problems } = await watchPage(page);
      await page.goto(url);
      await page.getByText('Awaiting your decision.').waitFor();
      expect(await page.locator('.model-label').innerText()).toMatch(/rehearsal/u);
      await checkView(page, 'first-run-phone-1-demo-board');

      // A decision with its reason: deepen the best card; Baton explores on to its next checkpoint.
      const decisions = async (id: string): Promise<number> =>
        (await page.evaluate(`fetch('/api/explorations/${id}').then((r) => r.json()).then((d) => d.ledger.filter((e) => e.decision).length)`)) as number;
      await page.locator('.cards > li').first().getByRole('button', { name: 'Deepen' }).click();
      await page.getByLabel('Reason (goes in the ledger)').fill('The quiet ending is the one to grow.');
      await checkView(page, 'first-run-phone-2-decision');
      await page.getByRole('button', { name: 'Record decision' }).click();
      await eventually(async () => expect(await decisions(source)).toBe(1));
      await page.getByText('Awaiting your decision.').waitFor({ timeout: 120_000 });
      await checkView(page, 'first-run-phone-3-next-checkpoint');

      // A fork at this checkpoint: the same board in a new exploration, no model call made again.
      const calls = await callCount(db, source);
      await page.getByRole('button', { name: 'Fork' }).click();
      await page.getByLabel('Title of the fork').fill('The demo, told another way');
      await checkView(page, 'first-run-phone-4-fork-form');
      await page.getByRole('button', { name: 'Fork here' }).click();
      await page.waitForURL((next) => !next.hash.includes(source));
      const fork = decodeURIComponent(/#\/([^/]+)\//u.exec(page.url())?.[1] ?? '');
      await page.getByText('Awaiting your decision.').waitFor();
      expect(await page.locator('.topbar .question').innerText()).toBe('The demo, told another way');
      expect(await callCount(db, fork)).toBe(0);
      expect(await callCount(db, source)).toBe(calls);
      await checkView(page, 'first-run-phone-5-fork-board');

      // Accept on the fork, with a reason, confirmed.
      const card = page.locator('.cards > li').first();
      const accepted = (await card.locator('h3').innerText()).trim();
      await card.getByRole('button', { name: 'Accept' }).click();
      await page.getByLabel('Reason (goes in the ledger)').fill('Short, warm, and it keeps its promise.');
      await page.getByRole('button', { name: 'Record decision' }).click();
      await page.getByRole('button', { name: /^Yes, accept/u }).click();
      await page.getByText(/This exploration is accepted/u).waitFor({ timeout: 60_000 });
      await checkView(page, 'first-run-phone-6-accepted');

      // The export: the reason, the accepted candidate, the brief's constraints.
      await page.getByRole('tab', { name: 'Ledger' }).click();
      await eventually(async () => expect(await page.getByRole('region', { name: 'Ledger' }).innerText()).toContain('Short, warm'));
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export Markdown' }).click();
      const markdown = readFileSync((await (await download).path()) as string, 'utf8');
      expect(markdown).toContain('Short, warm, and it keeps its promise.');
      expect(markdown).toContain('The quiet ending is the one to grow.');
      expect(markdown).toContain(accepted.split('.').at(-1) ?? accepted);
      expect(markdown).toMatch(/constraint/iu);
      await checkView(page, 'first-run-phone-7-ledger');
      // The source still awaits its own decision: the fork's acceptance is the fork's alone.
      expect((await page.evaluate(`fetch('/api/explorations/${source}').then((r) => r.json()).then((d) => d.status)`)) as string).toBe('awaiting');
      expect(problems).toEqual([]);
      await context.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
