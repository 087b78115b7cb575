import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * Checks run inside the page by the browser tests: the layout (no sideways scrolling, no text
 * squeezed into a box narrower than it needs) and accessibility (axe-core, injected as a script
 * through the DevTools protocol — the page's CSP forbids inline scripts, and rightly).
 */

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface LayoutProblems {
  /** How far the page scrolls sideways, in CSS pixels (0 is right). */
  overflow: number;
  /** Elements whose text does not fit them: `tag.class "text…" (width px)`. */
  squeezed: string[];
}

/** Runs in the page; a string, since the tests are typechecked without the DOM's types. */
const LAYOUT_PROBE = `(() => {
  const overflow = Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
  const squeezed = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, [aria-hidden="true"]')) continue;
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' ').trim();
    if (!text) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || style.display === 'none' || style.visibility === 'hidden') continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const scrolls = ['auto', 'scroll'].includes(style.overflowX) || style.textOverflow === 'ellipsis' || style.overflowX === 'hidden' && style.whiteSpace === 'nowrap';
    const spills = !scrolls && el.scrollWidth > el.clientWidth + 1;
    // One word (or letter) a line: a tall, thin box around text that would fill a line.
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
    const columnOfWords = rect.width < 120 && rect.height > 6 * lineHeight && text.length > 40;
    if (spills || columnOfWords) {
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
      squeezed.push(name + ' "' + text.slice(0, 40) + '" (' + Math.round(rect.width) + ' px wide, needs ' + el.scrollWidth + ')');
    }
  }
  return { overflow, squeezed };
})()`;

export async function layoutProblems(page: Page): Promise<LayoutProblems> {
  return (await page.evaluate(LAYOUT_PROBE)) as LayoutProblems;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = (await page.evaluate('typeof window.axe')) as string;
  if (loaded === 'undefined') await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').slice(0, 160)) })))`)) as AxeViolation[];
}
