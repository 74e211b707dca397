import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/common/wait.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE, BROWSER_PACE } from '../support/e2e/browser.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { FakeUpstream } from '../support/report/upstream.js';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp/smtp-target.js';

/**
 * Issue #20.1, in real Chromium against a real relay whose sync URL acknowledges every report: a
 * failure (550, and limit_behavior "error") stays an error once reported, in the list, its filter, the
 * header count and the detail, and Retry now makes a new attempt that is reported again.
 */
describe.runIf(BROWSER_AVAILABLE)('web UI: a reported failure stays a failure (Chromium, real relay, #20.1)', () => {
  let relay: TestRelay;
  let smtp: SmtpTarget;
  let app: FakeUpstream;
  let browser: Browser;
  let light: BrowserContext;
  let dark: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const row = (p: Page, id: string) => p.locator(`.queue-row[data-id="${id}"]`);
  const reportsOf = (id: string) => app.reportedIds().filter((x) => x === id).length;

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    // refuses mail to rejected@… with 550, accepts the rest
    smtp = await startSmtpTarget({ rcpt: (a) => (a.startsWith('rejected@') ? { code: 550, message: '5.1.1 mailbox unavailable' } : null) });
    app = await new FakeUpstream().start();
    relay = await startTestRelay({ deliveryMode: 'real', client: { url: app.url, token: 'app' } }, { uiDir });
    const account = { host: '127.0.0.1', port: smtp.port, use_tls: false };
    expect((await relay.api('/account', { method: 'POST', json: { id: 'smtp', ...account } })).status).toBe(200);
    expect((await relay.api('/account', { method: 'POST', json: { id: 'strict', ...account, limit_per_minute: 1, limit_behavior: 'error' } })).status).toBe(200);
    const base = { from: 'app@example.com', body: 'hello' };
    const added = await relay.api('/commands/add-messages', {
      method: 'POST',
      json: {
        messages: [
          { ...base, id: 'delivered', account_id: 'smtp', to: ['ok@example.com'], subject: 'Delivered' },
          { ...base, id: 'refused', account_id: 'smtp', to: ['rejected@example.com'], subject: 'Refused by the server' },
          { ...base, id: 'first', account_id: 'strict', to: ['a@example.com'], subject: 'First of the minute' },
          { ...base, id: 'over-limit', account_id: 'strict', to: ['b@example.com'], subject: 'Over the account limit' },
        ],
      },
    });
    expect(await added.json()).toMatchObject({ ok: true, queued: 4 });
    // the application acknowledged every outcome, and the relay marked them reported
    await waitFor(() => new Set(app.reportedIds()).size === 4, { what: 'every outcome reported', ...BROWSER_PACE });
    await waitFor(
      async () => ((await (await relay.api('/api/messages')).json()) as { items: { reported_ts: number | null }[] }).items.every((m) => m.reported_ts !== null),
      { what: 'every outcome marked reported', ...BROWSER_PACE },
    );

    browser = await launchChromium();
    light = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    dark = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    page = await light.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await app?.stop();
    await smtp?.close();
  });

  it('lists the reported failures as errors with their text and a reported mark, and counts them in the header', async () => {
    await page.goto(relay.relay.addresses().uiUrl);
    await page.locator('.stream-live').waitFor();
    for (const id of ['refused', 'over-limit']) {
      await waitFor(async () => (await row(page, id).locator('.badge').textContent())?.startsWith('error'), { what: `${id} shown as error`, ...BROWSER_PACE });
      await row(page, id).locator('.reported-mark').waitFor();
    }
    expect(await row(page, 'refused').locator('.row-error').textContent()).toContain('550');
    expect(await row(page, 'over-limit').locator('.row-error').textContent()).toContain("Rate limit exceeded: 1 per minute for account 'strict'");
    expect(await row(page, 'delivered').locator('.badge').textContent()).toMatch(/^sent/);
    await row(page, 'delivered').locator('.reported-mark').waitFor();
    await waitFor(async () => (await page.locator('.count-error .count-n').textContent()) === '2', { what: 'the header ERROR count', ...BROWSER_PACE });
    expect(await page.locator('.count-sent .count-n').textContent()).toBe('2');
    await screenshot(page, '40-queue-reported-error');

    const darkPage = await dark.newPage();
    await darkPage.goto(relay.relay.addresses().uiUrl);
    await row(darkPage, 'refused').locator('.reported-mark').waitFor();
    await screenshot(darkPage, '41-queue-reported-error-dark');
    await darkPage.close();
  });

  it('filters state=error to the failures, reported or not, and narrows by the Report filter', async () => {
    const rows = page.locator('.queue-row[data-id]');
    // the header's ERROR count is the state=error filter
    await page.locator('.count-error').click();
    await waitFor(async () => (await rows.count()) === 2, { what: 'state=error to list both failures', ...BROWSER_PACE });
    expect(page.url()).toContain('state=error');
    expect((await rows.evaluateAll((els) => els.map((r) => r.getAttribute('data-id')))).sort()).toEqual(['over-limit', 'refused']);
    await page.getByLabel('Report', { exact: true }).selectOption('no');
    await waitFor(async () => (await rows.count()) === 0, { what: 'no unreported failure', ...BROWSER_PACE });
    await page.getByLabel('Report', { exact: true }).selectOption('yes');
    await waitFor(async () => (await rows.count()) === 2, { what: 'both reported failures', ...BROWSER_PACE });
    expect(page.url()).toContain('reported=yes');
  });

  it('retries a reported failure: Retry now is enabled, a new attempt fails again and is reported again', async () => {
    const before = reportsOf('refused');
    await page.goto(`${relay.url}/#/queue/refused?state=error`);
    const detail = page.getByRole('complementary', { name: 'Message refused' });
    await detail.locator('.reported-mark').waitFor();
    const retry = detail.getByRole('button', { name: 'Retry now' });
    await waitFor(async () => await retry.isEnabled(), { what: 'Retry now enabled for a reported error', ...BROWSER_PACE });
    await retry.click();
    await waitFor(() => reportsOf('refused') === before + 1, { what: 'the new outcome reported to the application', ...BROWSER_PACE });
    // two failures, two reports, one retry in the timeline; the message is an error, reported again
    await waitFor(async () => (await detail.getByText('Reported to the application', { exact: true }).count()) === 2, { what: 'the second report in the timeline', ...BROWSER_PACE });
    await detail.locator('.reported-mark').waitFor();
    expect(await detail.locator('.badge').first().textContent()).toMatch(/^error/);
    expect(await row(page, 'refused').locator('.badge').textContent()).toMatch(/^error/);
    await row(page, 'refused').locator('.reported-mark').waitFor();
    const last = app.calls.flatMap((c) => c.items).filter((i) => i.id === 'refused').at(-1)!;
    expect(String(last.error)).toContain('550');
    // the stats frame follows within its 2 s pace: the retried failure counts as an error again
    await waitFor(async () => (await page.locator('.count-error .count-n').textContent()) === '2', { what: 'the header ERROR count after the retry', ...BROWSER_PACE });
    await screenshot(page, '42-message-reported-error-retried');
    expect(pageErrors).toEqual([]);
  });
});
