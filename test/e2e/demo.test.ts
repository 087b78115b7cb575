import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BATON_BIN, tempDir } from '../support/cli.js';
import { browserAvailable, eventually, launchBrowser, screenshot, watchPage } from './browser.js';

/**
 * The "done": a newcomer runs `baton demo` (the real binary, as a process), opens the URL
 * it prints, and steers the exploration to an accepted result in the browser.
 */

const enabled = browserAvailable();

describe.skipIf(!enabled)('baton demo in the browser', { timeout: 180_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('serves the board it reached; a person accepts a candidate there with a reason', async () => {
    const dir = tempDir('baton-demo-');
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', BATON_DB: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [BATON_BIN, 'demo', '--open', '--db', join(dir, 'baton.db')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      const exploration = new URL(url).searchParams.get('exploration') as string;

      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const { problems } = await watchPage(page);
      await page.goto(url);
      await page.getByText('Awaiting your decision.').waitFor();
      expect(page.url()).toContain(`#/${exploration}/board`);
      expect(await page.locator('.model-label').innerText()).toMatch(/rehearsal/);
      const card = page.locator('.cards > li').first();
      const accepted = (await card.locator('h3').innerText()).trim();
      await card.getByRole('button', { name: 'Accept' }).click();
      await page.getByLabel('Reason (goes in the ledger)').fill('The demo reads well enough to keep.');
      await page.getByRole('button', { name: 'Record decision' }).click();
      // Accepting ends the exploration: it is confirmed first.
      await page.getByRole('button', { name: /^Yes, accept/u }).click();
      await page.getByText(/This exploration is accepted/).waitFor({ timeout: 60_000 });
      await page.getByRole('tab', { name: 'Ledger' }).click();
      await eventually(async () => {
        const ledger = await page.getByRole('region', { name: 'Ledger' }).innerText();
        expect(ledger).toContain('The demo reads well enough to keep.');
        expect(ledger).toContain(accepted);
      });
      await screenshot(page, '13-demo-accepted');
      expect(problems).toEqual([]);
      await context.close();
      // Ctrl-C (here SIGTERM) stops the demo's server cleanly.
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
