import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLinkTarget } from '../support/captured/link-target.js';
import { waitFor } from '../support/common/wait.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE, BROWSER_PACE } from '../support/e2e/browser.js';
import { makePng } from '../support/e2e/remote-content.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:e2e@x.test',
  'DTSTAMP:20260601T080000Z',
  'DTSTART:20260610T090000Z',
  'DTEND:20260610T100000Z',
  'SUMMARY:Roadmap review',
  'ORGANIZER;CN=Ann Lee:mailto:ann@x.test',
  'ATTENDEE;CN=Bob:mailto:bob@x.test',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

/**
 * The captured-mail tools in Chromium against a real relay: Mailpit's search operators, the hint for
 * an unknown one, "Delete these N results", the decoded HTML source, the HTML check, the link check
 * and attachment previews.
 */
describe.runIf(BROWSER_AVAILABLE)('captured mail tools (Chromium, real relay)', () => {
  let relay: TestRelay;
  let target: Awaited<ReturnType<typeof startLinkTarget>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const send = async (mail: SendMailOptions) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: relay.relay.addresses().smtp.port, secure: false, ignoreTLS: true });
    try {
      const info = await transport.sendMail({ from: 'shop@x.test', to: 'customer@x.test', ...mail });
      return Number(/captured as (\d+)/.exec(String(info.response))![1]);
    } finally {
      transport.close();
    }
  };
  const rows = () => page.locator('.captured-row');
  const search = async (q: string) => {
    const box = page.getByRole('searchbox');
    await box.fill(q);
    const inAddress = () => page.evaluate(() => new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('q'));
    await waitFor(async () => (await inAddress()) === q, { what: `the search ${q} in the address`, ...BROWSER_PACE });
  };
  const subjects = async () => (await rows().allTextContents()).map((t) => /(ops-\w+)/.exec(t)?.[1]).filter(Boolean);

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    target = await startLinkTarget();
    relay = await startTestRelay({ sink: { linkCheckPrivate: true } }, { uiDir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(relay.relay.addresses().uiUrl);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    await target?.close();
  });

  it('narrows with operators, hints at an unknown one, and deletes exactly the N results', async () => {
    await send({ subject: 'ops-alpha invoice', text: 'hello', cc: 'carol@x.test' });
    await send({ subject: 'ops-beta invoice', text: 'hello', attachments: [{ filename: 'budget.xlsx', content: 'x'.repeat(5000) }] });
    await send({ subject: 'ops-gamma memo', text: 'hello' });
    await send({ subject: 'ops-delta memo', text: 'hello', cc: 'carol@x.test' });
    await page.goto(`${relay.url}/#/captured`);
    await waitFor(async () => (await rows().count()) === 4, { what: 'four captured rows', ...BROWSER_PACE });

    await search('hello -invoice');
    await waitFor(async () => JSON.stringify(await subjects()) === JSON.stringify(['ops-delta', 'ops-gamma']), { what: 'negation to narrow', ...BROWSER_PACE });
    await search('cc:carol');
    await waitFor(async () => JSON.stringify(await subjects()) === JSON.stringify(['ops-delta', 'ops-alpha']), { what: 'cc: to narrow', ...BROWSER_PACE });
    await search('filename:budget');
    await waitFor(async () => JSON.stringify(await subjects()) === JSON.stringify(['ops-beta']), { what: 'filename: to narrow', ...BROWSER_PACE });
    await search('hello larger:4kb');
    await waitFor(async () => JSON.stringify(await subjects()) === JSON.stringify(['ops-beta']), { what: 'larger: to narrow', ...BROWSER_PACE });

    await search('subjet:memo before:someday');
    const hint = page.getByRole('status', { name: 'Search warnings' });
    await hint.getByText('unknown operator, searched as text').waitFor();
    await hint.getByText('is not a date').waitFor();

    // an operator value it does not know is ignored, said so, and the rest of the search still counts
    await search('memo is:starred');
    await hint.getByText('is:starred is not known').waitFor();
    const del = page.getByRole('button', { name: 'Delete these 2 results' });
    await del.waitFor();
    await screenshot(page, 'captured-search-hint');
    await del.waitFor();
    await del.click();
    await page.getByRole('button', { name: 'Delete 2 results' }).click();
    await search('ops');
    await waitFor(async () => JSON.stringify(await subjects()) === JSON.stringify(['ops-beta', 'ops-alpha']), { what: 'only the memos deleted', ...BROWSER_PACE });
    expect((await relay.relay.store.captured.counts()).total).toBe(2);
  });

  it('shows the decoded HTML source, the HTML check with a score, and a loopback link status on click', async () => {
    const html = `<html><head><style>.grid{display:grid}</style></head><body><div class="grid"><p class="x">a=b and "quotes"</p>
      <a href="${target.url}/ok">good link</a> <a href="${target.url}/missing">dead link</a></div></body></html>`;
    // quoted-printable on the wire: the Raw tab shows =3D, the source tab must not
    const id = await send({ subject: 'ops-html tools', html, text: 'text', textEncoding: 'quoted-printable' });
    await page.goto(`${relay.url}/#/captured/${id}`);
    await page.getByRole('tab', { name: 'Raw' }).click();
    await page.locator('.raw-source', { hasText: '=3D' }).waitFor();

    await page.getByRole('tab', { name: 'HTML source' }).click();
    const source = page.getByLabel('Decoded HTML source');
    await waitFor(async () => ((await source.textContent()) ?? '').includes('<div class="grid">'), { what: 'the decoded HTML source', ...BROWSER_PACE });
    const text = await source.textContent();
    expect(text).toContain('<div class="grid">');
    expect(text).not.toContain('=3D');
    expect(await source.locator('.hljs-tag').count()).toBeGreaterThan(0);

    await page.getByRole('tab', { name: 'HTML check' }).click();
    await page.getByRole('region', { name: 'Client family outlook' }).getByText('display:grid').first().waitFor();
    const score = Number(await page.locator('.html-check .score').textContent());
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(100);
    await screenshot(page, 'captured-html-check');

    await page.getByRole('tab', { name: 'Link check' }).click();
    expect(target.requests).toEqual([]);
    await page.getByRole('button', { name: 'Check links' }).click();
    const good = page.locator('.link-table tr', { hasText: `${target.url}/ok` });
    await good.locator('.link-status', { hasText: '200' }).waitFor();
    await page.locator('.link-table tr', { hasText: `${target.url}/missing` }).locator('.link-status', { hasText: '404' }).waitFor();
    expect(target.requests).toContain('HEAD /ok');
  });

  it('previews a PNG, a text file and a calendar invite', async () => {
    const id = await send({
      subject: 'ops-files',
      text: 'files attached',
      attachments: [
        { filename: 'chart.png', content: makePng(32, [200, 30, 30]), contentType: 'image/png' },
        { filename: 'notes.txt', content: 'Line one\nLine two', contentType: 'text/plain' },
        { filename: 'invite.ics', content: ICS, contentType: 'text/calendar' },
      ],
    });
    await page.goto(`${relay.url}/#/captured/${id}`);
    await page.getByRole('tab', { name: /Attachments \(3\)/ }).click();

    await page.getByRole('button', { name: 'Preview chart.png' }).click();
    const img = page.getByRole('region', { name: 'Preview of chart.png' }).locator('img');
    await waitFor(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth === 32), { what: 'the PNG preview to load', ...BROWSER_PACE });

    await page.getByRole('button', { name: 'Preview notes.txt' }).click();
    await page.getByRole('region', { name: 'Preview of notes.txt' }).locator('pre', { hasText: 'Line two' }).waitFor();

    await page.getByRole('button', { name: 'Preview invite.ics' }).click();
    const cal = page.getByRole('region', { name: 'Preview of invite.ics' });
    await cal.getByText('Roadmap review').waitFor();
    await cal.getByText('Ann Lee <ann@x.test>').waitFor();
    await cal.getByText('Bob <bob@x.test>').waitFor();
    await cal.getByText('2026-06-10T09:00:00Z').waitFor();
    await screenshot(page, 'captured-attachment-preview');
  });

  it('dark theme: the search hint and the HTML check', async () => {
    const dark = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    try {
      const p = await dark.newPage();
      p.on('pageerror', (err) => pageErrors.push(err.message));
      await p.goto(relay.relay.addresses().uiUrl);
      // through the UI, not the address: the login link's own navigation must not race a goto
      await p.getByRole('link', { name: /^Captured/ }).click();
      await p.getByRole('searchbox').fill('ops subjet:html is:starred after:31-31-2026');
      await p.getByRole('status', { name: 'Search warnings' }).getByText('unknown operator').waitFor();
      await screenshot(p, 'captured-search-hint-dark');
      await p.getByRole('searchbox').fill('');
      await p.locator('.captured-row', { hasText: 'ops-html' }).click();
      await p.getByRole('tab', { name: 'HTML check' }).click();
      await p.getByRole('region', { name: 'Client family outlook' }).waitFor();
      await screenshot(p, 'captured-html-check-dark');
    } finally {
      await dark.close();
    }
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
