import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBrief } from '../../src/brief/parse.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { EXAMPLES, tempDir } from '../support/cli.js';
import type { Served } from './browser.js';
import { browserAvailable, eventually, launchBrowser, screenshot, startServe, watchPage } from './browser.js';
import { layoutProblems, seriousA11yViolations } from './page-checks.js';

/**
 * A board people enjoy (issue 14), in Chromium at a phone's width (390×844) and a desktop's
 * (1440×900): every view without sideways scrolling or squeezed text and without serious
 * accessibility problems (axe-core); the first-run path on a phone — the board, a decision with
 * its reason, a fork, an accepted result, the export; keyboard use; managing explorations; the
 * list kept live from the store. Screenshots of every view at both widths go to
 * test-artifacts/screenshots/ (`npm run screenshots`).
 */

const WIDTHS = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'desktop', viewport: { width: 1440, height: 900 } },
] as const;

const enabled = browserAvailable();

describe.skipIf(!enabled)('the board at phone and desktop widths', { timeout: 240_000 }, () => {
  let dir: string;
  let db: string;
  let served: Served;
  let browser: Browser;
  let source: string;

  beforeAll(async () => {
    dir = tempDir('baton-board-ui-');
    db = join(dir, 'baton.db');
    served = await startServe(db, dir);
    browser = await launchBrowser();
    // One exploration taken to its first checkpoint, started through the API as a script would.
    const { context, page } = await signedIn(WIDTHS[1].viewport);
    const briefText = readFileSync(join(EXAMPLES, 'lighthouse-story.md'), 'utf8');
    source = (await page.evaluate(`fetch('/api/session').then((r) => r.json()).then((session) =>
      fetch('/api/explorations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-baton-csrf': session.csrfToken },
        body: JSON.stringify({ briefText: ${JSON.stringify(briefText)}, seed: 3 }),
      })).then((r) => r.json()).then((body) => body.id)`)) as string;
    await page.goto(`${served.origin}/#/${source}/board`);
    await page.getByText('Awaiting your decision.').waitFor({ timeout: 90_000 });
    await context.close();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  async function signedIn(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ acceptDownloads: true, viewport });
    const page = await context.newPage();
    const { problems } = await watchPage(page);
    await page.goto(served.tokenUrl);
    await page.locator('nav[aria-label="Explorations"]').waitFor({ state: 'attached' });
    return { context, page, problems };
  }

  /** The page fits its width, its text fits its boxes, and axe finds nothing serious. */
  async function checkView(page: Page, name: string): Promise<void> {
    // Let the view settle (fonts, charts measuring their box) before measuring it.
    await page.waitForTimeout(300);
    const layout = await layoutProblems(page);
    expect(layout.overflow, `${name}: the page scrolls sideways`).toBe(0);
    expect(layout.squeezed, `${name}: text squeezed`).toEqual([]);
    expect(await seriousA11yViolations(page), `${name}: axe`).toEqual([]);
    await screenshot(page, name);
  }

  for (const { name: width, viewport } of WIDTHS) {
    it(`${width} (${viewport.width}×${viewport.height}): every view fits, reads and passes axe`, async () => {
      const { context, page, problems } = await signedIn(viewport);
      await page.goto(`${served.origin}/#/${source}/board`);
      await page.getByText('Awaiting your decision.').waitFor();
      const nav = page.getByRole('navigation', { name: 'Explorations' });
      if (width === 'phone') {
        // The list is a drawer: closed, it takes no room; opened, it lists the exploration.
        expect(await nav.isVisible()).toBe(false);
        const cards = await page.locator('.cards > li').evaluateAll((items) => items.map((li) => (li as unknown as { getBoundingClientRect(): { x: number; width: number } }).getBoundingClientRect()));
        // Cards stack: each one the width of the column.
        expect(new Set(cards.map((c) => Math.round(c.x))).size).toBe(1);
        for (const card of cards) expect(card.width).toBeGreaterThan(viewport.width * 0.8);
      } else {
        expect(await nav.isVisible()).toBe(true);
      }
      await checkView(page, `ui-${width}-board`);

      if (width === 'phone') {
        await page.getByRole('button', { name: '☰ Explorations' }).click();
        await nav.waitFor();
        await checkView(page, `ui-${width}-list-drawer`);
        await page.getByRole('button', { name: 'Close the list of explorations' }).click();
      }

      // The same quality, in the same format, on the card and in the candidate's view.
      const firstCard = page.locator('.cards > li').first();
      const quality = (await firstCard.locator('.meta strong').innerText()).trim();
      expect(quality).toMatch(/^\d{1,3}%$/u);
      await firstCard.locator('h3 button').click();
      await page.getByRole('region', { name: 'Judgment' }).waitFor();
      expect(await page.getByRole('region', { name: 'Judgment' }).innerText()).toContain(`quality ${quality}`);
      await page.getByRole('tab', { name: 'Board' }).click();

      for (const tab of ['Tree', 'Candidate', 'Compare', 'Charts', 'Ledger', 'Brief'] as const) {
        await page.getByRole('tab', { name: tab }).click();
        if (tab === 'Tree') {
          await page.locator('circle[data-candidate]').first().waitFor();
          // Fit to screen fills the panel; zoom changes the drawing's size; the board's cards are ringed.
          await page.getByRole('button', { name: 'Fit to screen' }).click();
          const panel = page.locator('.tree-scroll');
          const svg = page.locator('.tree-scroll svg');
          const size = async (): Promise<{ width: number; height: number }> => (await svg.boundingBox()) ?? { width: 0, height: 0 };
          const box = (await panel.boundingBox()) ?? { width: 0, height: 0 };
          const fitted = await size();
          expect(fitted.width).toBeLessThanOrEqual(box.width);
          expect(Math.max(fitted.width / box.width, fitted.height / box.height)).toBeGreaterThan(0.8);
          await page.getByRole('button', { name: 'Zoom in' }).click();
          expect((await size()).width).toBeGreaterThan(fitted.width * 1.2);
          await page.getByRole('button', { name: 'Fit to screen' }).click();
          expect(await page.locator('.board-ring').count()).toBe(await cardCount(page));
          // A node's label (id, quality, lens) shows on hover, and on focus from the keyboard.
          await page.locator('circle[data-candidate]').nth(1).hover();
          await eventually(async () => expect(await page.locator('.node-label').textContent()).toMatch(/^c\d+ · \d+% · \S/u));
          await page.getByRole('application').focus();
          await page.keyboard.press('ArrowDown');
          await eventually(async () => expect(await page.locator('.tree-selection h3').count()).toBe(1));
        }
        if (tab === 'Candidate') {
          await page.getByRole('region', { name: 'Judgment' }).waitFor();
          expect(await page.getByRole('region', { name: 'Judgment' }).innerText()).toMatch(/quality \d{1,3}%/u);
        }
        if (tab === 'Charts') {
          await page.locator('.charts svg.recharts-surface').first().waitFor();
          const labels = await page.locator('.charts .recharts-label').allTextContents();
          for (const title of ['quality (%)', 'judged candidates (count)', 'calls (count)', 'spend (US$)']) expect(labels).toContain(title);
          expect(await page.getByRole('img', { name: /Quality of each of \d+ judged candidates/u }).count()).toBe(1);
          // Ticks differ from each other (no "0.1 s" repeated) and the table holds every point.
          const ticks = await page.locator('.charts figure').nth(2).locator('.recharts-xAxis .recharts-cartesian-axis-tick-value').allTextContents();
          expect(new Set(ticks).size).toBe(ticks.length);
          await page.getByText('Quality by move: the data as a table').click();
          expect(await page.locator('.table-fallback').first().locator('tbody tr').count()).toBeGreaterThan(1);
        }
        if (tab === 'Ledger') await page.getByRole('region', { name: 'Ledger' }).waitFor();
        if (tab === 'Brief') await page.getByRole('textbox', { name: 'Brief', exact: true }).waitFor();
        await checkView(page, `ui-${width}-${tab.toLowerCase()}`);
      }

      await page.getByRole('tab', { name: 'Board' }).click();
      await page.locator('.cards > li').first().getByRole('button', { name: 'Deepen' }).click();
      await checkView(page, `ui-${width}-decision-form`);
      await page.getByRole('button', { name: 'Cancel' }).click();
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('phone: the first run — a decision with its reason, a fork, an accepted result, the export', async () => {
    const { context, page, problems } = await signedIn(WIDTHS[0].viewport);
    await page.goto(`${served.origin}/#/${source}/board`);
    await page.getByText('Awaiting your decision.').waitFor();

    // Fork the exploration at its checkpoint: a new one, at the same board, no model call made.
    const calls = await callRows(db, source);
    await page.getByRole('button', { name: 'Fork' }).click();
    await page.getByLabel('Title of the fork').fill('Lighthouse, the quiet way');
    await page.getByRole('button', { name: 'Fork here' }).click();
    await page.waitForURL((url) => !url.hash.includes(source));
    const fork = decodeURIComponent(/#\/([^/]+)\//u.exec(page.url())?.[1] ?? '');
    await page.getByText('Awaiting your decision.').waitFor().catch(async (error: unknown) => {
      await screenshot(page, 'zz-fork-failed');
      throw new Error(`${page.url()}\n${await page.locator('body').innerText()}`, { cause: error });
    });
    expect(await page.locator('.topbar .question').innerText()).toBe('Lighthouse, the quiet way');
    expect(await callRows(db, source)).toBe(calls);
    expect(await callRows(db, fork)).toBe(0);
    await checkView(page, 'ui-phone-fork-board');

    // Accept on the fork: a reason is asked for, then the acceptance is confirmed.
    const card = page.locator('.cards > li').first();
    const accepted = (await card.locator('h3').innerText()).trim();
    await card.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.getByText('No reason yet.', { exact: false }).waitFor();
    await checkView(page, 'ui-phone-reason-prompt');
    await page.getByLabel('Reason (goes in the ledger)').fill('It keeps the foghorn and loses the sermon.');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.getByText(/ends this exploration/u).waitFor();
    expect(await decisionCount(page, fork)).toBe(0);
    await page.getByRole('button', { name: /^Yes, accept/u }).click();
    await page.getByText(/This exploration is accepted/u).waitFor({ timeout: 60_000 });

    // The ledger and the export carry the reason; the source still awaits its own decision.
    await page.getByRole('tab', { name: 'Ledger' }).click();
    await eventually(async () => expect(await page.getByRole('region', { name: 'Ledger' }).innerText()).toContain('It keeps the foghorn'));
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export Markdown' }).click();
    const markdown = readFileSync((await (await download).path()) as string, 'utf8');
    expect(markdown).toContain('It keeps the foghorn and loses the sermon.');
    expect(markdown).toContain(accepted.split('.').at(-1) ?? accepted);
    await checkView(page, 'ui-phone-ledger-accepted');
    expect((await page.evaluate(`fetch('/api/explorations/${source}').then((r) => r.json()).then((d) => d.status)`)) as string).toBe('awaiting');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('desktop: the board answers the keyboard, and ? lists the keys', async () => {
    const { context, page, problems } = await signedIn(WIDTHS[1].viewport);
    await page.goto(`${served.origin}/#/${source}/board`);
    await page.getByText('Awaiting your decision.').waitFor();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keys on the board' });
    await help.waitFor();
    await checkView(page, 'ui-desktop-keys-help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    const cards = page.locator('.cards > li');
    const second = (await cards.nth(1).locator('h3').innerText()).trim();
    // The first j brings the focus to the first card, the second moves on.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await eventually(async () => expect(await page.evaluate('document.activeElement?.getAttribute("aria-labelledby")')).toBe(`card-${second}`));
    await page.keyboard.press('d');
    await page.getByRole('heading', { name: `Deepen ${second}` }).waitFor();
    // Escape from the form's field closes it; the focus goes back to the board's keys.
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: `Deepen ${second}` }).waitFor({ state: 'detached' });
    await page.locator('.cards > li').nth(1).focus();
    await page.keyboard.press('p');
    await page.getByRole('heading', { name: `Prune ${second}` }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.cards > li').nth(1).focus();
    await page.keyboard.press('c');
    await page.waitForURL(/\/compare\//u);
    expect(page.url()).toContain(encodeURIComponent(second));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('desktop: rename, search, filter, archive and delete; the list follows the store live', async () => {
    const { context, page, problems } = await signedIn(WIDTHS[1].viewport);
    await page.goto(`${served.origin}/#/${source}/board`);
    await page.getByText('Awaiting your decision.').waitFor();
    const list = page.getByRole('navigation', { name: 'Explorations' });

    // An exploration created by another process appears without a reload, as "paused".
    const outside = await createOutside(db, 'Tide tables for a drowned town');
    const item = list.getByRole('button', { name: /Tide tables for a drowned town/u });
    await item.waitFor({ timeout: 15_000 });
    expect(await item.innerText()).toMatch(/paused/u);
    expect(await item.innerText()).toMatch(/created .+ · updated /u);

    // The list's count and the board's agree.
    const mine = list.locator('button.exploration', { hasText: `${source} · ` });
    const listed = Number(/(\d+) candidates?/u.exec(await mine.innerText())?.[1]);
    expect(await page.locator('.spend').innerText()).toContain(`${listed} candidate`);

    // Search and filter by status.
    await page.getByRole('searchbox', { name: 'Search explorations' }).fill('drowned');
    await eventually(async () => expect(await list.locator('li').count()).toBe(1));
    await page.getByRole('searchbox', { name: 'Search explorations' }).fill('');
    await page.getByLabel('Show').selectOption('awaiting');
    await eventually(async () => expect(await list.locator('li').allInnerTexts()).not.toContainEqual(expect.stringContaining('drowned')));
    await page.getByLabel('Show').selectOption('active');

    // Rename, archive (hidden from the default list), delete with confirmation.
    await item.click();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Tide tables, renamed');
    await page.getByRole('button', { name: 'Save the title' }).click();
    await list.getByRole('button', { name: /Tide tables, renamed/u }).waitFor();
    await page.getByRole('button', { name: 'Archive' }).click();
    await list.getByRole('button', { name: /Tide tables, renamed/u }).waitFor({ state: 'detached' });
    await page.getByLabel('Show').selectOption('archived');
    await list.getByRole('button', { name: /Tide tables, renamed/u }).waitFor();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await checkView(page, 'ui-desktop-delete-confirm');
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await rowCount(db, outside)).toBe(1);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await list.getByRole('button', { name: /Tide tables/u }).waitFor({ state: 'detached' });
    expect(await rowCount(db, outside)).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

/** The calls recorded for an exploration, from the database file. */
async function callRows(db: string, id: string): Promise<number> {
  const store = openSqliteStore(db);
  try {
    return (await store.listCalls(id)).length;
  } finally {
    await store.close();
  }
}

async function cardCount(page: Page): Promise<number> {
  return (await page.evaluate(`fetch('/api/explorations/' + location.hash.split('/')[1]).then((r) => r.json()).then((d) => d.board.cards.length)`)) as number;
}

async function decisionCount(page: Page, id: string): Promise<number> {
  return (await page.evaluate(`fetch('/api/explorations/${id}').then((r) => r.json()).then((d) => d.ledger.filter((e) => e.decision).length)`)) as number;
}

/** Another process's exploration: written straight to the database file, never run. */
async function createOutside(db: string, question: string): Promise<string> {
  const store = openSqliteStore(db);
  try {
    const source = `---\nquestion: ${question}\ncriteria: [Specific.]\nmodel: rehearsal\njudge: rehearsal\n---\nA town under a reservoir.\n`;
    const brief = await store.saveBrief({ source, brief: parseBrief(source) });
    const id = 'xoutsid';
    await store.createExploration({ id, briefId: brief.id, seed: 1, model: 'rehearsal', judge: 'rehearsal', title: question, created: { type: 'exploration.created', briefId: brief.id, seed: 1, lenses: [], model: 'rehearsal', judge: 'rehearsal' } });
    return id;
  } finally {
    await store.close();
  }
}

async function rowCount(db: string, id: string): Promise<number> {
  const store = openSqliteStore(db);
  try {
    return (await store.getExploration(id)) ? 1 : 0;
  } finally {
    await store.close();
  }
}
