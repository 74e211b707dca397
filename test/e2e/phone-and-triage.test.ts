import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/common/wait.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE, BROWSER_PACE } from '../support/e2e/browser.js';
import { startRemoteContentServer } from '../support/e2e/remote-content.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';

/** What a phone-sized window must not do: scroll sideways, or put a button where it cannot be reached. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > width) problems.push(`the page is ${scrollWidth}px wide in a ${width}px window`);
    for (const b of document.querySelectorAll<HTMLElement>('button')) {
      const r = b.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      // a strip that scrolls sideways on purpose (the mail's tabs) may hold buttons beyond the edge
      const scroller = b.closest<HTMLElement>('[role="tablist"]');
      if (scroller && getComputedStyle(scroller).overflowX !== 'visible' && scroller.getBoundingClientRect().right <= width + 0.5) continue;
      if (r.left < -0.5 || r.right > width + 0.5) problems.push(`button "${b.getAttribute('aria-label') ?? b.textContent?.trim()}" spans ${Math.round(r.left)}–${Math.round(r.right)}px`);
    }
    return problems;
  });
}

/** How much of the window the header, the view tabs and the status bar take. */
async function chromeShare(page: Page): Promise<number> {
  return page.evaluate(() => {
    const h = (sel: string) => document.querySelector(sel)?.getBoundingClientRect().height ?? 0;
    return (h('.app-header') + h('.nav') + h('.status-bar')) / window.innerHeight;
  });
}

/** The box of an element relative to the window, or null when it is not laid out. */
const boxOf = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return r.width === 0 && r.height === 0 ? null : { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
  }, selector);

/**
 * Issue #20 items 3, 5 and 7 in Chromium against a real relay: phone and tablet widths (one pane, no
 * sideways scroll, reachable buttons, folded header), mail-client triage by keyboard and mouse, and an
 * account edit that keeps the saved password.
 */
describe.runIf(BROWSER_AVAILABLE)('narrow screens and triage (Chromium, real relay)', () => {
  let relay: TestRelay;
  let browser: Browser;
  let remote: Awaited<ReturnType<typeof startRemoteContentServer>>;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const queued: string[] = [];

  const openPage = async (viewport: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light') => {
    const context = await browser.newContext({ viewport, colorScheme });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(relay.relay.addresses().uiUrl);
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  };
  const hashOf = (page: Page) => page.evaluate(() => window.location.hash);
  const capturedIds = async (): Promise<number[]> =>
    ((await (await relay.api('/api/captured?limit=100')).json()) as { items: { id: number }[] }).items.map((c) => c.id);

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    relay = await startTestRelay({}, { uiDir });
    browser = await launchChromium();
    remote = await startRemoteContentServer();

    // captured mail: a newsletter with remote content and fifty recipients, and a few plain ones
    const smtp = relay.relay.addresses().smtp;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    for (let i = 1; i <= 5; i++) {
      await transport.sendMail({ from: 'Shop <shop@example.com>', to: 'customer@example.com', subject: `Plain mail ${i}`, text: `Plain body ${i}` });
    }
    await transport.sendMail({
      from: 'News <news@example.com>',
      to: Array.from({ length: 50 }, (_, i) => `reader${i}@example.com`),
      subject: 'Monthly newsletter with a rather long subject line that must not push buttons off a phone screen',
      text: 'Newsletter text version.',
      html: `<html><body><h1>Newsletter</h1><p>News of the month.</p><img src="${remote.url}/pixel.png" alt="remote" width="40" height="40"></body></html>`,
    });
    transport.close();

    // an account with a saved password (the release control and the account edit use it)
    const created = await relay.api('/account', {
      method: 'POST',
      json: { id: 'provider', host: '127.0.0.1', port: 2525, user: 'relay-user', password: 'relay-secret', limit_per_minute: 10 },
    });
    expect(created.status).toBe(200);

    // queued messages, held while dispatch is paused
    await relay.api('/api/settings', { method: 'PATCH', json: { paused: true } });
    for (let i = 1; i <= 4; i++) {
      const res = await relay.api('/api/send', {
        method: 'POST',
        json: { from: 'app@example.com', to: ['someone@example.com'], subject: `Queued message ${i} about an invoice that is overdue`, body_text: 'x' },
      });
      queued.push(((await res.json()) as { id: string }).id);
    }
    await waitFor(async () => (await capturedIds()).length === 6, { what: 'the six mails to be captured', ...BROWSER_PACE });
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await remote?.stop();
    await relay?.stop();
  });

  for (const [width, height] of [
    [390, 844],
    [768, 1024],
  ] as const) {
    it(`fits ${width}x${height}: no sideways scroll, buttons on screen, queue rows keep their subject`, async () => {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await openPage({ width, height }, scheme);
        const shot = (what: string) => screenshot(page, `phone-${width}x${height}-${what}-${scheme}`);

        // queue list
        await page.locator('.vlist-scroll .queue-row').first().waitFor();
        expect(await layoutProblems(page)).toEqual([]);
        expect(await chromeShare(page)).toBeLessThan(0.2);
        const subject = await boxOf(page, '.queue-row .col-main .line1');
        expect(subject?.width ?? 0).toBeGreaterThan(width / 3);
        await shot('queue-list');

        // queue detail: on a phone, one pane with a way back
        await page.locator(`.queue-row[data-id="${queued[0]}"]`).click();
        const detail = page.getByRole('complementary', { name: `Message ${queued[0]}` });
        await detail.getByRole('button', { name: 'Close message detail' }).waitFor();
        expect(await layoutProblems(page)).toEqual([]);
        // one pane up to 900 px wide, with a way back
        expect(await boxOf(page, '.list-pane')).toBeNull();
        await page.getByRole('button', { name: 'Back to the list' }).waitFor();
        await shot('queue-detail');
        await page.keyboard.press('Escape');
        await detail.waitFor({ state: 'detached' });

        // captured list and the newsletter
        await page.getByRole('link', { name: /^Captured/ }).click();
        const newsletter = page.locator('.captured-row', { hasText: 'Monthly newsletter' });
        await newsletter.waitFor();
        expect(await layoutProblems(page)).toEqual([]);
        await shot('captured-list');
        await newsletter.click();
        const mail = page.locator('.captured-detail');
        await page.frameLocator('iframe[title^="HTML preview"]').getByText('News of the month.').waitFor();
        expect(await layoutProblems(page)).toEqual([]);
        for (const name of ['Close captured mail', 'Release…', 'Delete']) {
          const box = await mail.getByRole('button', { name, exact: true }).boundingBox();
          expect(box, name).not.toBeNull();
          expect(box!.x + box!.width, name).toBeLessThanOrEqual(width);
        }
        // fifty recipients fold (To and the envelope), so the body starts on the first screen
        await mail.getByRole('button', { name: 'Show all 50 recipients' }).first().waitFor();
        await shot('captured-detail');
        const frame = await boxOf(page, '.frame-wrap');
        expect(frame!.top).toBeLessThan(height - 150);

        expect(await boxOf(page, '.list-pane')).toBeNull();
        await page.getByRole('button', { name: 'Back to the list' }).click();
        await newsletter.waitFor();
        // the counts fold into one line and open on demand
        const toggle = page.locator('.counts-toggle');
        await toggle.waitFor();
        expect(await boxOf(page, '.app-header .counts')).toBeNull();
        await toggle.click();
        expect(await boxOf(page, '.app-header .counts')).not.toBeNull();
        expect(await layoutProblems(page)).toEqual([]);
        await screenshot(page, `phone-${width}x${height}-counts-open-${scheme}`);
        await toggle.click();

        // the other views fit too: accounts (and the edit form), settings
        await page.getByRole('link', { name: 'Accounts' }).click();
        await page.getByRole('article', { name: 'provider' }).waitFor();
        expect(await layoutProblems(page)).toEqual([]);
        await page.getByRole('link', { name: 'Edit account provider' }).click();
        await page.getByRole('complementary', { name: 'Edit account provider' }).waitFor();
        expect(await layoutProblems(page)).toEqual([]);
        await shot('account-form');
        await page.getByRole('link', { name: 'Settings' }).click();
        await page.getByRole('heading').first().waitFor();
        await shot('settings');
        expect(await layoutProblems(page)).toEqual([]);
        await page.context().close();
      }
    });
  }

  it('triages captured mail from the keyboard: global j/k, Enter, d opens the next, u, x and bulk actions', async () => {
    const page = await openPage({ width: 1280, height: 800 });
    // a wide window shows the counts themselves, and no fold
    expect(await boxOf(page, '.app-header .counts')).not.toBeNull();
    expect(await boxOf(page, '.counts-toggle')).toBeNull();
    await page.getByRole('link', { name: /^Captured/ }).click();
    await page.locator('.captured-row').first().waitFor();
    const ids = await capturedIds();
    const openId = async () => Number((await hashOf(page)).match(/^#\/captured\/(\d+)/)?.[1] ?? 0);

    // no tabbing into the list first: j highlights, Enter opens, j/k walk the open mail
    await page.locator('main').click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await openId()) === ids[0], { what: 'Enter to open the first mail', ...BROWSER_PACE });
    await page.keyboard.press('j');
    await waitFor(async () => (await openId()) === ids[1], { what: 'j to open the next mail', ...BROWSER_PACE });
    await page.keyboard.press('k');
    await waitFor(async () => (await openId()) === ids[0], { what: 'k to open the previous mail', ...BROWSER_PACE });
    await page.getByRole('button', { name: 'Next mail' }).click();
    await waitFor(async () => (await openId()) === ids[1], { what: 'the Next button', ...BROWSER_PACE });
    await page.getByText(`2 of ${ids.length}`).waitFor();

    // u marks the open mail unread (and read again)
    const row = (id: number) => page.locator(`.captured-row[data-id="${id}"]`);
    await waitFor(async () => !(await row(ids[1]!).getAttribute('class'))?.includes('unread'), { what: 'the open mail to be read', ...BROWSER_PACE });
    await page.keyboard.press('u');
    await waitFor(async () => (await row(ids[1]!).getAttribute('class'))?.includes('unread'), { what: 'u to mark it unread', ...BROWSER_PACE });
    await page.getByRole('button', { name: 'Mark read' }).click();
    await waitFor(async () => !(await row(ids[1]!).getAttribute('class'))?.includes('unread'), { what: 'Mark read', ...BROWSER_PACE });

    // d deletes the open mail and opens the next one; the server deletes it once the undo time is over
    await page.keyboard.press('d');
    await waitFor(async () => (await openId()) === ids[2], { what: 'd to open the next mail', ...BROWSER_PACE });
    await page.getByText(/^Deleted “/).waitFor();
    expect(await row(ids[1]!).count()).toBe(0);
    await waitFor(async () => !(await capturedIds()).includes(ids[1]!), { what: 'the delete to reach the relay', timeoutMs: 20_000, intervalMs: 200 });

    // pick with ctrl and shift clicks, mark them read, then delete them: the bar says how many
    await page.keyboard.press('Escape');
    await waitFor(async () => (await openId()) === 0, { what: 'Escape to close the mail', ...BROWSER_PACE });
    await row(ids[2]!).click({ modifiers: ['Control'] });
    await row(ids[4]!).click({ modifiers: ['Shift'] });
    await page.getByText('3 messages selected').waitFor();
    expect(await openId()).toBe(0);
    await page.getByRole('toolbar', { name: 'Picked rows' }).getByRole('button', { name: 'Mark unread' }).click();
    await page.getByText('Marked 3 messages unread').waitFor();
    const unread = ((await (await relay.api('/api/captured?limit=100')).json()) as { items: { id: number; read: boolean }[] }).items.filter((c) => !c.read).map((c) => c.id);
    expect(unread).toEqual(expect.arrayContaining([ids[2], ids[3], ids[4]]));
    await page.keyboard.press('Delete');
    await page.getByRole('dialog', { name: 'Delete these 3 messages?' }).getByRole('button', { name: 'Delete 3 messages' }).click();
    await page.getByText('Deleted 3 messages').waitFor();
    expect(await capturedIds()).toEqual([ids[0], ids[5]]);

    // mark all read
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByText('Marked all captured mail read').waitFor();
    const page1 = (await (await relay.api('/api/captured')).json()) as { unread: number };
    expect(page1.unread).toBe(0);
    await page.context().close();
  });

  it('keeps "Load remote images" and the preview width when switching tabs, and folds fifty recipients', async () => {
    const page = await openPage({ width: 1280, height: 800 });
    await page.getByRole('link', { name: /^Captured/ }).click();
    await page.locator('.captured-row', { hasText: 'Monthly newsletter' }).click();
    const frameEl = page.locator('iframe[title^="HTML preview"]');
    await frameEl.waitFor();
    const to = page.locator('.captured-detail dt:text-is("To") + dd');
    await page.getByRole('button', { name: 'Show all 50 recipients' }).first().waitFor();
    expect(await page.getByText('+47 more').count()).toBe(2);
    expect(await to.textContent()).not.toContain('reader49@example.com');

    await page.getByRole('button', { name: 'Load remote images' }).click();
    await waitFor(async () => remote.hits() > 0, { what: 'the remote image to load once allowed', ...BROWSER_PACE });
    await page.getByRole('radio', { name: 'Mobile' }).click();
    await page.getByRole('tab', { name: 'Text' }).click();
    await page.locator('.text-body', { hasText: 'Newsletter text version.' }).waitFor();
    await page.getByRole('tab', { name: 'HTML', exact: true }).click();
    await frameEl.waitFor();
    await page.getByRole('button', { name: 'Block remote content' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Mobile' }).getAttribute('aria-checked')).toBe('true');
    expect(await frameEl.evaluate((el) => el.getBoundingClientRect().width)).toBe(375);

    await page.getByRole('button', { name: 'Show all 50 recipients' }).first().click();
    expect(await to.textContent()).toContain('reader49@example.com');
    await page.context().close();
  });

  it('triages the queue: j/k walk the open message, picked messages are retried or deleted', async () => {
    const page = await openPage({ width: 1280, height: 800 });
    await page.locator('.vlist-scroll .queue-row').first().waitFor();
    const ids = [...queued].reverse(); // newest first
    const openId = async () => decodeURIComponent((await hashOf(page)).match(/^#\/queue\/([^?]+)/)?.[1] ?? '');

    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await openId()) === ids[0], { what: 'Enter to open the first message', ...BROWSER_PACE });
    await page.keyboard.press('j');
    await waitFor(async () => (await openId()) === ids[1], { what: 'j to open the next message', ...BROWSER_PACE });
    await page.getByRole('button', { name: 'Previous message' }).click();
    await waitFor(async () => (await openId()) === ids[0], { what: 'the Previous button', ...BROWSER_PACE });
    await page.keyboard.press('Escape');
    await waitFor(async () => (await openId()) === '', { what: 'Escape to close the message', ...BROWSER_PACE });

    const row = (id: string) => page.locator(`.queue-row[data-id="${id}"]`);
    await row(ids[2]!).click({ modifiers: ['Control'] });
    await row(ids[3]!).click({ modifiers: ['Control'] });
    await page.getByText('2 messages selected').waitFor();
    await page.getByRole('toolbar', { name: 'Picked rows' }).getByRole('button', { name: 'Delete 2…' }).click();
    await page.getByRole('dialog', { name: 'Delete 2 messages?' }).getByRole('button', { name: 'Delete 2 messages' }).click();
    await page.getByText('Deleted 2 messages').waitFor();
    await waitFor(async () => (await row(ids[2]!).count()) === 0 && (await row(ids[3]!).count()) === 0, { what: 'the deleted rows to leave', ...BROWSER_PACE });
    for (const id of [ids[2], ids[3]]) expect((await relay.api(`/api/messages/${id}`)).status).toBe(404);
    await page.context().close();
  });

  it('saves an account edit without the password typed again, and the relay keeps the password', async () => {
    const page = await openPage({ width: 1280, height: 800 });
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('article', { name: 'provider' }).getByRole('link', { name: 'Edit account provider' }).click();
    const edit = page.getByRole('complementary', { name: 'Edit account provider' });
    await edit.getByLabel('Per minute').fill('20');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    const listed = (await (await relay.api('/api/accounts')).json()) as { items: { id: string; limit_per_minute: number; password_set: boolean; user: string }[] };
    expect(listed.items.find((a) => a.id === 'provider')).toMatchObject({ limit_per_minute: 20, password_set: true, user: 'relay-user' });

    // another host: the saved password is not sent there, so the form asks for it
    await page.getByRole('article', { name: 'provider' }).getByRole('link', { name: 'Edit account provider' }).click();
    await edit.getByLabel('Host').fill('localhost');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.locator('.field-error', { hasText: 'type the password again' }).waitFor();
    await page.context().close();
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
