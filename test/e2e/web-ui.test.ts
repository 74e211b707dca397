import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE, BROWSER_PACE } from '../support/e2e/browser.js';
import { makePng, startRemoteContentServer } from '../support/e2e/remote-content.js';
import { FakeUpstream } from '../support/report/upstream.js';
import { startSmtpTarget } from '../support/smtp/smtp-target.js';
import { waitFor } from '../support/common/wait.js';

/**
 * The web UI in real Chromium against a real headless relay (sandbox mode: the dispatcher really sends
 * over SMTP to the embedded sink). Tests run in order on one page, as a user would go through the app.
 */
describe.runIf(BROWSER_AVAILABLE)('web UI (Chromium, real relay)', () => {
  let relay: TestRelay;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    relay = await startTestRelay({}, { uiDir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
  });

  const badgeOf = (id: string) => page.locator(`.queue-row[data-id="${id}"] .badge`);
  const send = async (subject: string, extra: Record<string, unknown> = {}) => {
    const res = await relay.api('/api/send', {
      method: 'POST',
      json: { from: 'app@example.com', to: ['someone@example.com'], subject, body_text: `Body of ${subject}`, ...extra },
    });
    expect(res.status).toBeLessThan(300);
    return ((await res.json()) as { id: string }).id;
  };

  it('logs in through the #token link, strips the token and remembers it for the tab', async () => {
    await page.goto(relay.relay.addresses().uiUrl);
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('gmr.apiToken'))).toBe(relay.token);
    expect(await page.evaluate(() => localStorage.getItem('gmr.apiToken'))).toBeNull();
    await page.getByText('The queue is empty').waitFor();
    await screenshot(page, '01-queue-empty');

    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.locator('.stream-live').waitFor();
  });

  it('asks for the token once when opened without the link', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const p = await fresh.newPage();
    await p.goto(relay.url + '/');
    const input = p.getByLabel('API token');
    await input.fill('wrong-token');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('The relay did not accept this token.').waitFor();
    await screenshot(p, '00-login');
    await input.fill(relay.token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(await p.evaluate(() => sessionStorage.getItem('gmr.apiToken'))).toBe(relay.token);
    expect(await p.evaluate(() => localStorage.getItem('gmr.apiToken'))).toBeNull();
    await fresh.close();
  });

  it('shows a message sent through the API move from queued to sent, live', async () => {
    await relay.api('/api/settings', { method: 'PATCH', json: { paused: true } });
    await page.locator('.mode-paused').waitFor();
    const id = await send('Live lifecycle check');
    await waitFor(async () => (await badgeOf(id).textContent())?.startsWith('queued'), { what: 'the row to appear as queued', ...BROWSER_PACE });
    await screenshot(page, '02-queue-queued');

    // resume from the header, as a user would; no reload from here on
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitFor(async () => (await badgeOf(id).textContent())?.startsWith('sent'), { what: 'the row to turn sent', ...BROWSER_PACE });
    await waitFor(async () => Number(await page.locator('.count-sent .count-n').textContent()) >= 1, { what: 'the sent count in the header', ...BROWSER_PACE });

    await page.locator(`.queue-row[data-id="${id}"]`).click();
    const detail = page.getByRole('complementary', { name: `Message ${id}` });
    await detail.getByText('Sent to the sandbox').waitFor();
    await detail.getByText('Queued', { exact: true }).waitFor();
    await detail.getByText(/Delivery attempt #1/).waitFor();
    await detail.getByText('open captured mail', { exact: false }).waitFor();
    await screenshot(page, '03-message-detail');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    // keyboard: focus the list, move, open
    await page.getByRole('listbox', { name: 'Messages' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await detail.waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  });

  it('lists messages with a virtualised list and filters by state', async () => {
    // a few hundred more rows, added while paused: the DOM holds only what is visible
    await relay.api('/api/settings', { method: 'PATCH', json: { paused: true } });
    const messages = Array.from({ length: 600 }, (_, i) => ({
      id: `bulk-${i}`,
      account_id: 'bulk',
      from: 'bulk@example.com',
      to: [`user${i}@example.com`],
      subject: `Bulk message ${i}`,
      body: 'x',
    }));
    try {
      await relay.api('/account', { method: 'POST', json: { id: 'bulk', host: '127.0.0.1', port: 1 } });
      const added = await relay.api('/commands/add-messages', { method: 'POST', json: { messages } });
      expect(added.status).toBe(200);
      await waitFor(async () => (await page.locator('.queue-row[data-id="bulk-599"]').count()) > 0, { what: 'the new head rows to arrive live', ...BROWSER_PACE });
      expect(await page.locator('.vlist-scroll .queue-row').count()).toBeLessThan(80);
      await waitFor(async () => {
        await page.locator('.vlist-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
        return (await page.locator('.queue-row[data-id="bulk-0"]').count()) > 0;
      }, { what: 'the next page to load on scroll', ...BROWSER_PACE });
      expect(await page.locator('.vlist-scroll .queue-row').count()).toBeLessThan(80);

      const stateFilter = page.getByLabel('State', { exact: true });
      await stateFilter.selectOption('sent');
      await waitFor(async () => {
        const states = await page.locator('.vlist-scroll .queue-row .badge').allTextContents();
        return states.length > 0 && states.every((s) => s.startsWith('sent'));
      }, { what: 'only sent rows', ...BROWSER_PACE });
      expect(page.url()).toContain('state=sent');
      await stateFilter.selectOption('');
    } finally {
      await relay.api('/commands/delete-messages', { method: 'POST', json: { ids: messages.map((m) => m.id) } });
      await relay.api('/account/bulk', { method: 'DELETE' });
      await relay.api('/api/settings', { method: 'PATCH', json: { paused: false } });
    }
    await waitFor(async () => (await page.locator('.queue-row[data-id^="bulk-"]').count()) === 0, { what: 'deleted rows to leave the list', ...BROWSER_PACE });
  });

  it('opens a captured HTML mail: sandboxed preview, remote content blocked until allowed, tabs', async () => {
    const remote = await startRemoteContentServer();
    try {
      const smtp = relay.relay.addresses().smtp;
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
      await transport.sendMail({
        from: 'Shop <shop@example.com>',
        to: 'customer@example.com',
        subject: 'Your order #1234',
        text: 'Thanks for your order. Plain text version.',
        html: `<!doctype html><html><head><style>body{font-family:sans-serif;padding:16px} h1{color:#2563eb}</style></head>
          <body><h1>Thanks for your order</h1><p>Order <b>#1234</b> is on its way.</p>
          <p><img id="logo" src="cid:logo@shop" alt="shop logo" width="64" height="64">
          <img id="tracker" src="${remote.url}/pixel.png" alt="remote image" width="40" height="40"></p>
          <script>document.body.innerHTML = 'script ran'</script></body></html>`,
        attachments: [
          { filename: 'logo.png', content: makePng(64, [37, 99, 235]), cid: 'logo@shop', contentType: 'image/png' },
          { filename: 'invoice.txt', content: 'Invoice 1234', contentType: 'text/plain' },
        ],
      });
      transport.close();

      await page.getByRole('link', { name: /^Captured/ }).click();
      const row = page.locator('.captured-row', { hasText: 'Your order #1234' });
      await row.waitFor();
      expect(await row.getAttribute('class')).toContain('unread');
      await row.click();

      const frameEl = page.locator('iframe[title="HTML preview: Your order #1234"]');
      await frameEl.waitFor();
      const sandbox = (await frameEl.getAttribute('sandbox')) ?? '';
      expect(sandbox).not.toContain('allow-scripts');
      expect(sandbox).not.toContain('allow-same-origin');
      const frame = page.frameLocator('iframe[title="HTML preview: Your order #1234"]');
      await frame.getByText('Thanks for your order').waitFor();
      await waitFor(() => frame.locator('#logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 64), { what: 'the cid: image to load', ...BROWSER_PACE });
      await page.getByText('1 remote resource blocked').waitFor();
      expect(remote.hits()).toBe(0);
      expect(await frame.getByText('script ran').count()).toBe(0);
      await waitFor(async () => !(await row.getAttribute('class'))?.includes('unread'), { what: 'the mail to be marked read', ...BROWSER_PACE });
      await screenshot(page, '04-captured-html');

      await page.getByRole('button', { name: 'Load remote images' }).click();
      await waitFor(async () => remote.hits() > 0, { what: 'the remote image to load once allowed', ...BROWSER_PACE });

      await page.getByRole('radio', { name: 'Mobile' }).click();
      expect(await frameEl.evaluate((el) => el.getBoundingClientRect().width)).toBe(375);
      await screenshot(page, '05-captured-html-mobile');

      await page.getByRole('tab', { name: 'Text' }).click();
      await page.locator('.text-body', { hasText: 'Plain text version.' }).waitFor();
      await page.getByRole('tab', { name: 'Headers' }).click();
      await page.getByRole('rowheader', { name: 'Subject' }).waitFor();
      await page.getByRole('tab', { name: 'Raw' }).click();
      await page.locator('.raw-source', { hasText: 'Subject: Your order #1234' }).waitFor();
      await page.getByRole('tab', { name: /Attachments \(2\)/ }).click();
      await page.getByText('invoice.txt').waitFor();
      await screenshot(page, '06-captured-attachments');

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download .eml' }).click();
      expect((await download).suggestedFilename()).toBe('Your order #1234.eml');
    } finally {
      await remote.stop();
    }
  });

  it('switches the delivery mode with an unmistakable warning', async () => {
    await page.keyboard.press('4');
    await page.getByRole('heading', { name: 'Delivery', exact: true }).waitFor();
    await screenshot(page, '07-settings');
    await page.getByText('Real delivery', { exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch to real delivery?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Yes, deliver for real' }).click();
    await page.locator('.real-banner').waitFor();
    const settings = (await (await relay.api('/api/settings')).json()) as { delivery_mode: string };
    expect(settings.delivery_mode).toBe('real');
    await screenshot(page, '08-settings-real');

    await page.locator('.real-banner').getByRole('button', { name: 'Switch to sandbox' }).click();
    await page.locator('.real-banner').waitFor({ state: 'detached' });
    expect(((await (await relay.api('/api/settings')).json()) as { delivery_mode: string }).delivery_mode).toBe('sandbox');
  });

  it('configures upstream delivery reports and shows how the last sync went', async () => {
    const app = await new FakeUpstream().start();
    try {
      const section = page.getByRole('region', { name: 'Delivery reports to your application' });
      await section.getByLabel('Sync URL').fill('not a url');
      await section.getByText('Must be an http:// or https:// URL').waitFor();
      await section.getByLabel('Sync URL').fill(app.url);
      await section.getByLabel('Basic auth user').fill('genropy');
      await section.getByLabel('Basic auth password').fill('pw');
      await section.getByRole('button', { name: 'Save' }).click();
      await section.getByText('Saved').waitFor();
      const settings = (await (await relay.api('/api/settings')).json()) as Record<string, unknown>;
      expect(settings).toMatchObject({ client_sync_url: app.url, client_sync_user: 'genropy', client_sync_password_set: true });
      await waitFor(async () => app.calls.length > 0, { what: 'a delivery report to reach the application', ...BROWSER_PACE });
      await section.getByText(/Last sync succeeded/).waitFor({ timeout: 20_000 });
      await page.locator('.status-report', { hasText: 'reports ✓' }).waitFor();
      await screenshot(page, '09-settings-sync');
    } finally {
      await relay.api('/api/settings', { method: 'PATCH', json: { client_sync_url: null, client_sync_user: null, client_sync_password: null } });
      await app.stop();
    }
  });

  it('creates an account with validation, verifies it and shows its rate-limit state', async () => {
    // the provider of the account: takes user/secret, refuses bounce@… for good
    const upstream = await startSmtpTarget({
      auth: { user: 'user', pass: 'secret' },
      rcpt: (address) => (address.startsWith('bounce@') ? { code: 550, message: '5.1.1 no such user' } : null),
    });
    try {
      await page.getByRole('link', { name: 'Accounts' }).click();
      await page.getByText('No SMTP accounts yet').waitFor();
      await page.getByRole('link', { name: 'Add account' }).first().click();
      const form = page.getByRole('complementary', { name: 'New account' });
      await form.getByLabel('Account id').fill('primary');
      await form.getByLabel('Host').fill('127.0.0.1');
      await form.getByLabel('Port').fill('99999');
      await form.getByLabel('User').fill('user');
      await form.getByRole('button', { name: 'Create account' }).click();
      await form.getByText('Port must be between 1 and 65535').waitFor();
      await form.getByText('A password is needed when a user is set').waitFor();
      await screenshot(page, '10-account-form-errors');

      await form.getByLabel('Port').fill(String(upstream.port));
      await form.getByLabel('Security').selectOption('starttls');
      await form.getByLabel('Password').fill('secret');
      await form.getByLabel('Per minute').fill('5');
      await form.getByLabel('Per hour').fill('100');
      await form.getByRole('button', { name: 'Create account' }).click();
      const card = page.getByRole('article', { name: 'primary' });
      await card.waitFor();
      const listed = (await (await relay.api('/api/accounts')).json()) as { items: { id: string; port: number; limit_per_minute: number }[] };
      expect(listed.items.find((a) => a.id === 'primary')).toMatchObject({ port: upstream.port, limit_per_minute: 5 });

      await card.getByRole('button', { name: 'Verify connection' }).click();
      await card.getByText(/✓/).waitFor({ timeout: 20_000 });

      // release the captured order mail through it (real delivery, whatever the mode)
      await page.getByRole('link', { name: /^Captured/ }).click();
      await page.locator('.captured-row', { hasText: 'Your order #1234' }).click();
      await page.getByLabel('Release via').selectOption('primary');
      await page.getByRole('button', { name: 'Release…' }).click();
      await page.getByRole('dialog', { name: 'Deliver this message for real?' }).getByRole('button', { name: 'Release for real delivery' }).click();
      await page.getByText('Queued as').waitFor();
      await waitFor(async () => upstream.messages.length >= 1, { what: 'the released mail to reach the upstream server', ...BROWSER_PACE });

      // real delivery through the account moves its gauge; one recipient is refused for good
      await relay.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'real' } });
      const bounced = await send('Will bounce', { account_id: 'primary', to: ['bounce@example.com'] });
      for (let i = 0; i < 4; i++) await send(`Real ${i}`, { account_id: 'primary' });
      await waitFor(async () => upstream.messages.length >= 5, { what: 'the upstream server to receive the messages', ...BROWSER_PACE });
      await page.getByRole('link', { name: 'Accounts' }).click();
      const perMinute = card.locator('.gauge-value').first();
      await waitFor(async () => (await perMinute.textContent()) === '5 / 5', { what: 'the per-minute gauge to fill up', ...BROWSER_PACE });
      await card.getByText(/next free slot in/).waitFor();
      await screenshot(page, '11-accounts');

      // the bounce: failed with the SMTP answer; a retry now waits for the rate limit
      await page.goto(`${relay.url}/#/queue/${encodeURIComponent(bounced)}`);
      const detail = page.getByRole('complementary', { name: `Message ${bounced}` });
      await detail.getByText('Failed', { exact: true }).waitFor();
      await detail.getByText(/550/).first().waitFor();
      await screenshot(page, '12-message-failed');
      await detail.getByRole('button', { name: 'Retry now' }).click();
      await detail.getByText('Rate limited', { exact: true }).waitFor({ timeout: 20_000 });
      await detail.getByText('account rate limit reached').waitFor();
      await waitFor(async () => (await badgeOf(bounced).textContent())?.startsWith('deferred'), { what: 'the list row to show the deferral', ...BROWSER_PACE });
      await screenshot(page, '13-message-rate-limited');

      // edit: the saved password stays (same server); then delete, which takes the account's messages along
      await page.getByRole('link', { name: 'Accounts' }).click();
      await card.getByRole('link', { name: 'Edit account primary' }).click();
      const edit = page.getByRole('complementary', { name: 'Edit account primary' });
      await edit.getByLabel('Per minute').fill('50');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await edit.waitFor({ state: 'detached' });
      await waitFor(async () => (await perMinute.textContent())?.endsWith('/ 50'), { what: 'the new limit on the card', ...BROWSER_PACE });
      await card.getByRole('button', { name: 'Delete account primary' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete account primary?' });
      await confirm.getByText(/all of its messages/).waitFor();
      await confirm.getByRole('button', { name: 'Delete account and its messages' }).click();
      await page.getByText('No SMTP accounts yet').waitFor();
      await relay.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'sandbox' } });
    } finally {
      await upstream.close();
    }
  });

  it('follows the OS dark theme', async () => {
    const dark = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    const p = await dark.newPage();
    await p.goto(relay.relay.addresses().uiUrl);
    await p.locator('.queue-row').first().waitFor();
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(20, 23, 27)');
    await screenshot(p, '14-queue-dark');
    await p.goto(`${relay.url}/#/captured`);
    await p.locator('.captured-row').first().click();
    await p.frameLocator('iframe[title^="HTML preview"]').getByText('Thanks for your order').waitFor();
    await screenshot(p, '15-captured-dark');
    await dark.close();
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
