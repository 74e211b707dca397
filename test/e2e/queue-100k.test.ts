import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE } from '../support/e2e/browser.js';

const TOTAL = 100_000;

/**
 * The queue view with 100,000 messages in a real browser: every row loaded into the list, the DOM
 * still holding only the visible rows, and live changes still applied. Figures are printed, not asserted.
 */
describe.runIf(BROWSER_AVAILABLE)('queue view at 100,000 messages', () => {
  let relay: TestRelay;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    relay = await startTestRelay({}, { uiDir, settingsOverrides: { paused: true } });
    await relay.api('/account', { method: 'POST', json: { id: 'bulk', host: '127.0.0.1', port: 1 } });
    for (let start = 0; start < TOTAL; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({
        id: `m${start + i}`,
        account_id: 'bulk',
        from: 'app@example.com',
        to: [`user${start + i}@example.com`],
        subject: `Message number ${start + i}`,
        body: 'x',
      }));
      const res = await relay.api('/commands/add-messages', { method: 'POST', json: { messages } });
      expect(res.status).toBe(200);
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
  });

  it('loads every row page by page while the DOM stays small', async () => {
    await page.goto(relay.relay.addresses().uiUrl);
    await page.locator('.queue-row').first().waitFor();
    const started = Date.now();
    const scroller = page.locator('.vlist-scroll');
    // keep scrolling to the end from inside the page until the oldest row shows up
    const reached = await scroller.evaluate(async (el) => {
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        el.scrollTop = el.scrollHeight;
        if (el.querySelector('[data-id="m0"]')) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    });
    expect(reached).toBe(true);
    const loadAll = Date.now() - started;
    await page.getByText(`${TOTAL.toLocaleString('en-US')} shown`).waitFor();
    expect(await page.locator('.vlist-scroll .queue-row').count()).toBeLessThan(80);

    // jump to the middle: only the rows around it are rendered
    const jump = await scroller.evaluate(async (el) => {
      const t0 = performance.now();
      el.scrollTop = el.scrollHeight / 2;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - t0;
    });
    const middle = await page.locator('.vlist-scroll .queue-row').first().getAttribute('data-id');
    expect(Number(middle!.slice(1))).toBeGreaterThan(40_000);
    expect(Number(middle!.slice(1))).toBeLessThan(60_000);
    expect(await page.locator('.vlist-scroll .queue-row').count()).toBeLessThan(80);

    // a live change to a row in view, with 100,000 rows in the list
    const target = middle!;
    const t1 = Date.now();
    await relay.api('/commands/delete-messages', { method: 'POST', json: { ids: [target] } });
    await page.locator(`.queue-row[data-id="${target}"]`).waitFor({ state: 'detached' });
    const liveDelete = Date.now() - t1;
    await screenshot(page, '20-queue-100k');

    console.log(
      `[queue-100k] loaded ${TOTAL} rows in ${loadAll} ms (${Math.round(TOTAL / 500)} pages of 500, scrolling to the end); ` +
        `jump to the middle rendered in ${jump.toFixed(1)} ms; live delete shown after ${liveDelete} ms`,
    );
  }, 180_000);
});
