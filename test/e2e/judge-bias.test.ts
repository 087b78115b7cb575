import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.js';
import type { Served } from './browser.js';
import { browserAvailable, launchBrowser, screenshot, startServe, watchPage } from './browser.js';
import { seriousA11yViolations } from './page-checks.js';

/**
 * Issue 12, item 5 in the browser: the judge bias check from the web UI, in Chromium against the
 * real server. Two clicks — the estimate (calls and worst-case cost), then the run — and the
 * result in plain words, with what it spent; a bad judge is a readable error.
 */

const enabled = browserAvailable();

describe.skipIf(!enabled)('the judge bias check in Chromium', { timeout: 120_000 }, () => {
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    const dir = tempDir('baton-e2e-bias-');
    served = await startServe(join(dir, 'baton.db'), dir);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('estimates, runs on the rehearsal judge, and shows the result in plain words', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const { problems } = await watchPage(page);
    await page.goto(served.tokenUrl);
    const panel = page.getByRole('region', { name: 'Check a judge for bias' });
    await panel.waitFor();

    const judge = panel.getByLabel('Judge', { exact: true });
    expect(await judge.inputValue()).toBe('rehearsal');
    await panel.getByRole('button', { name: 'Estimate the cost' }).click();
    await panel.getByText('12 calls to rehearsal').waitFor();
    await panel.getByRole('button', { name: 'Run the check (12 calls)' }).click();
    const result = panel.getByRole('status', { name: 'Judge bias result' });
    await result.waitFor();
    const text = await result.innerText();
    expect(text).toMatch(/Length\.\s.*length bias/isu);
    expect(text).toMatch(/Position\.\s.*position bias/isu);
    expect(text).toMatch(/Spent 12 calls, \d+ tokens, \$0\.0000/u);
    // The editor's lint (in the brief worker) has answered too.
    await page.getByText('No findings: the brief reads well.').waitFor();
    await screenshot(page, 'judge-bias');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // A judge that does not exist: a readable error, and nothing to run.
    await judge.fill('nonsense:model');
    await panel.getByRole('button', { name: 'Estimate the cost' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/nonsense/u);
    expect(await panel.getByRole('button', { name: /Run the check/u }).count()).toBe(0);
    expect(problems).toEqual([]);
    expect(served.log.filter((line) => /internal/u.test(line))).toEqual([]);
    await context.close();
  });
});
