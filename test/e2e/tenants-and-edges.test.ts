import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/common/ports.js';
import { waitFor } from '../support/common/wait.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE, BROWSER_PACE } from '../support/e2e/browser.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../support/smtp/smtp-target.js';

/**
 * Tenants in the web UI (issue #14.6) and the UI's edges (issue #20.2, #20.7), in real Chromium against a
 * real relay. Tests run in order on one light page, with a dark one for the screenshots; the relay stops last.
 */
describe.runIf(BROWSER_AVAILABLE)('web UI: tenants, safe bulk actions, outages (Chromium, real relay)', () => {
  let relay: TestRelay;
  let browser: Browser;
  let light: BrowserContext;
  let dark: BrowserContext;
  let page: Page;
  let darkPage: Page;
  let upstream: SmtpTarget;
  let relayStopped = false;
  const pageErrors: string[] = [];
  const cspMessages: string[] = [];

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    relay = await startTestRelay({}, { uiDir });
    upstream = await startSmtpTarget({});
    browser = await launchChromium();
    light = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    dark = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    page = await light.newPage();
    darkPage = await dark.newPage();
    for (const p of [page, darkPage]) {
      p.on('pageerror', (err) => pageErrors.push(err.message));
      p.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) cspMessages.push(msg.text());
      });
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await upstream?.close();
    if (!relayStopped) await relay?.stop();
  });

  /** Opens the same view in the dark page, waits for `ready`, and takes its screenshot. */
  const darkShot = async (hash: string, name: string, ready: (p: Page) => Promise<unknown>) => {
    await darkPage.goto(`${relay.url}/${hash}`);
    await ready(darkPage);
    await screenshot(darkPage, name);
  };

  const addMessages = async (messages: Record<string, unknown>[], query = '') => {
    const res = await relay.api(`/commands/add-messages${query}`, { method: 'POST', json: { messages } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { queued: number }).queued).toBe(messages.length);
  };

  it('loads without a Content-Security-Policy error in the console (#20.7)', async () => {
    await page.goto(relay.relay.addresses().uiUrl);
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.locator('.stream-live').waitFor();
    await darkPage.goto(relay.relay.addresses().uiUrl);
    await darkPage.locator('.stream-live').waitFor();
    expect(cspMessages).toEqual([]);
    // a relay without tenants looks as it always did
    expect(await page.getByRole('link', { name: /^Tenants/ }).count()).toBe(0);
  });

  it('hears about a new account at once: the accounts frame reaches the page (#14.6)', async () => {
    const filter = page.getByLabel('Account', { exact: true });
    await filter.waitFor();
    expect(await filter.locator('option[value="healthy"]').count()).toBe(0);
    const res = await relay.api('/account', { method: 'POST', json: { id: 'healthy', host: '127.0.0.1', port: upstream.port } });
    expect(res.status).toBe(200);
    await waitFor(async () => (await filter.locator('option[value="healthy"]').count()) === 1, { what: 'the new account in the filter, without a reload', ...BROWSER_PACE });
  });

  it('shows tenants: a tenant column keyed by (tenant, id) and a tenants page without secrets (#14.6)', async () => {
    await relay.api('/api/settings', { method: 'PATCH', json: { paused: true } });
    const reg = await relay.api('/tenant', {
      method: 'POST',
      json: {
        id: 'acme',
        name: 'Acme Ltd',
        client_base_url: 'http://127.0.0.1:9/email/mailproxy/mp_endpoint',
        client_sync_path: '/proxy_sync',
        client_attachment_path: '/proxy_get_attachments',
        client_auth: { method: 'basic', user: 'mailproxy', password: 'tenant-pw-secret' },
      },
    });
    expect(reg.status).toBe(200);
    expect((await relay.api('/account', { method: 'POST', json: { id: 'acme-smtp', tenant_id: 'acme', host: '127.0.0.1', port: upstream.port } })).status).toBe(200);
    const message = (subject: string) => ({ id: 'inv-1', from: 'billing@example.com', to: ['client@example.com'], subject, body: 'x' });
    await addMessages([{ ...message('Classic invoice'), account_id: 'healthy' }]);
    await addMessages([{ ...message('Acme invoice'), account_id: 'acme-smtp' }], '?tenant_id=acme');

    const row = (tenant: string) => page.locator(`.queue-row[data-id="inv-1"][data-tenant="${tenant}"]`);
    await row('acme').waitFor({ timeout: BROWSER_PACE.timeoutMs });
    await row('').waitFor({ timeout: BROWSER_PACE.timeoutMs });
    expect(await row('acme').locator('.col-tenant').textContent()).toBe('acme');
    expect(await page.locator('.list-header .col-tenant').count()).toBe(1);
    await screenshot(page, '20-queue-tenant-column');
    await darkShot('#/queue', '21-queue-tenant-column-dark', (p) => p.locator('.queue-row[data-tenant="acme"]').waitFor());

    // each row opens its own tenant's message
    await row('acme').click();
    const detail = page.getByRole('complementary', { name: 'Message inv-1' });
    await detail.getByRole('heading', { name: 'Acme invoice' }).waitFor();
    await page.keyboard.press('Escape');
    await row('').click();
    await detail.getByRole('heading', { name: 'Classic invoice' }).waitFor();
    await page.keyboard.press('Escape');

    // the tenant filter
    await page.getByLabel('Tenant', { exact: true }).selectOption('acme');
    await waitFor(async () => (await page.locator('.queue-row[data-id]').count()) === 1 && (await row('acme').count()) === 1, { what: "only acme's rows", ...BROWSER_PACE });
    await page.getByLabel('Tenant', { exact: true }).selectOption('');

    await page.getByRole('link', { name: /^Tenants/ }).click();
    const table = page.getByRole('region', { name: 'Tenants' });
    const acme = table.locator('tr[data-tenant="acme"]');
    await acme.waitFor();
    expect(await acme.textContent()).toContain('http://127.0.0.1:9/email/mailproxy/mp_endpoint/proxy_sync');
    expect(await acme.textContent()).toContain('http://127.0.0.1:9/email/mailproxy/mp_endpoint/proxy_get_attachments');
    expect(await page.content()).not.toContain('tenant-pw-secret');
    await screenshot(page, '22-tenants');
    await darkShot('#/tenants', '23-tenants-dark', (p) => p.locator('tr[data-tenant="acme"]').waitFor());

    await relay.api('/commands/delete-messages?tenant_id=acme', { method: 'POST', json: { ids: ['inv-1'] } });
    await relay.api('/commands/delete-messages', { method: 'POST', json: { ids: ['inv-1'] } });
    await relay.api('/api/settings', { method: 'PATCH', json: { paused: false } });
  });

  it('deletes only the captured mail a search shows, saying how many (#20.2)', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: relay.relay.addresses().smtp.port, secure: false, ignoreTLS: true });
    for (let i = 0; i < 7; i++) {
      await transport.sendMail({ from: 'shop@example.com', to: 'customer@example.com', subject: i < 2 ? `Receipt ${i}` : `Weekly news ${i}`, text: `mail ${i}` });
    }
    transport.close();
    const total = async () => ((await (await relay.api('/api/captured?limit=1')).json()) as { total: number }).total;
    expect(await total()).toBe(7);

    await page.goto(`${relay.url}/#/captured?q=receipt`);
    await waitFor(async () => (await page.locator('.captured-row').count()) === 2, { what: 'the two matching mails', ...BROWSER_PACE });
    await page.getByRole('button', { name: 'Delete 2 shown…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete these 2 messages?' });
    await dialog.waitFor();
    await screenshot(page, '24-bulk-delete-dialog');
    await darkShot('#/captured?q=receipt', '25-bulk-delete-dialog-dark', async (p) => {
      await p.getByRole('button', { name: 'Delete 2 shown…' }).click();
      await p.getByRole('dialog', { name: 'Delete these 2 messages?' }).waitFor();
    });
    await dialog.getByRole('button', { name: 'Delete these 2 messages' }).click();
    await waitFor(async () => (await page.locator('.captured-row').count()) === 0, { what: 'the search to show none', ...BROWSER_PACE });
    expect(await total()).toBe(5);
  });

  it('undoes a single delete within a few seconds, and deletes it otherwise (#20.2)', async () => {
    await page.goto(`${relay.url}/#/captured`);
    const row = page.locator('.captured-row', { hasText: 'Weekly news 6' });
    await row.click();
    await page.getByRole('complementary').getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
    await row.waitFor();
    expect(((await (await relay.api('/api/captured?limit=1')).json()) as { total: number }).total).toBe(5);

    await row.click();
    await page.getByRole('complementary').getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    await waitFor(async () => ((await (await relay.api('/api/captured?limit=1')).json()) as { total: number }).total === 4, {
      what: 'the delete to reach the relay once the undo time ran out',
      ...BROWSER_PACE,
    });
  });

  it('releases through a healthy account, not the first one in backoff, and warns while paused (#20.7)', async () => {
    // 'aaa' comes first and fails to connect: it backs off
    const dead = await closedPort();
    expect((await relay.api('/account', { method: 'POST', json: { id: 'aaa', host: '127.0.0.1', port: dead } })).status).toBe(200);
    await relay.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'real' } });
    expect((await relay.api('/api/send', { method: 'POST', json: { from: 'a@example.com', to: ['b@example.com'], subject: 'probe', body_text: 'x', account_id: 'aaa' } })).status).toBeLessThan(300);
    await waitFor(async () => {
      const accounts = ((await (await relay.api('/api/accounts')).json()) as { items: { id: string; backoff_until: number | null }[] }).items;
      return (accounts.find((a) => a.id === 'aaa')?.backoff_until ?? 0) > Date.now() / 1000;
    }, { what: "account aaa's backoff", ...BROWSER_PACE });
    await relay.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'sandbox', paused: true } });

    await page.goto(`${relay.url}/#/captured`);
    await page.locator('.captured-row', { hasText: 'Weekly news 5' }).click();
    const via = page.getByLabel('Release via');
    await waitFor(async () => (await via.inputValue()) === 'healthy', { what: 'the healthy account to be offered first', ...BROWSER_PACE });
    expect(await via.locator('option[value="aaa"]').textContent()).toContain('backing off');
    await page.getByRole('button', { name: 'Release…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deliver this message for real?' });
    await dialog.getByText('Dispatch is paused: the released message waits in the queue until you resume.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await relay.api('/api/settings', { method: 'PATCH', json: { paused: false } });
  });

  it('says the relay is unreachable, with the last numbers dimmed, when it stops (#20.7)', async () => {
    await page.goto(`${relay.url}/#/queue`);
    await page.locator('.stream-live').waitFor();
    await darkPage.goto(`${relay.url}/#/queue`);
    await darkPage.locator('.stream-live').waitFor();
    relayStopped = true;
    await relay.stop();
    for (const p of [page, darkPage]) {
      await p.getByRole('alert').filter({ hasText: 'Relay unreachable — retrying' }).waitFor({ timeout: BROWSER_PACE.timeoutMs });
      expect(await p.locator('.counts').getAttribute('class')).toContain('stale');
    }
    await screenshot(page, '26-outage-banner');
    // a view that reads now names the cause instead of fetch's "Failed to fetch"
    await page.getByRole('link', { name: /^Captured/ }).click();
    await page.getByText('The relay is unreachable (stopped, or the network is down). Retrying…').waitFor({ timeout: BROWSER_PACE.timeoutMs });
    expect(await page.getByText('Failed to fetch').count()).toBe(0);
    await screenshot(darkPage, '27-outage-banner-dark');
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
    expect(cspMessages).toEqual([]);
  });
});
