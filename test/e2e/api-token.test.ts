import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { ensureRendererBuilt, launchChromium, screenshot, BROWSER_AVAILABLE, BROWSER_PACE } from '../support/e2e/browser.js';
import { attributeLeakRules, startExfiltrationLogger, type ExfiltrationLogger } from '../support/e2e/exfiltration-logger.js';
import { makePng } from '../support/e2e/remote-content.js';
import { waitFor } from '../support/common/wait.js';

const TOKEN = crypto.randomBytes(18).toString('base64url');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const prefixes = Array.from({ length: TOKEN.length }, (_, i) => TOKEN.slice(0, i + 1));
/** What a patient attacker tries, round after round: the parameter, each first character, each longer prefix. */
const GUESSES = ['token=', ...[...ALPHABET].map((c) => `token=${c}`), ...prefixes.map((p) => `token=${p}`), ...prefixes.slice(3)];
/** Every piece of the token long enough to tell it apart from ordinary text. */
const PIECES = Array.from({ length: TOKEN.length - 3 }, (_, i) => TOKEN.slice(i, i + 4));
const carriesToken = (s: string) => PIECES.some((piece) => s.includes(piece));

/**
 * Issue #17 item 1 and the UI part of item 5, in real Chromium against a real relay: captured mail whose CSS
 * tries to read attribute values out (inline, @import and <link> stylesheets, remote content allowed) never
 * sees any part of the API token; the page requests nothing with the token in its URL; the token is kept for
 * the tab only (sessionStorage) and only once the relay accepted it.
 */
describe.runIf(BROWSER_AVAILABLE)('the API token in the web UI (Chromium, real relay)', () => {
  let relay: TestRelay;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let logger: ExfiltrationLogger;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  const imported = attributeLeakRules('', GUESSES, 'm');
  const linked = attributeLeakRules('', GUESSES, 'l');

  beforeAll(async () => {
    const uiDir = ensureRendererBuilt();
    relay = await startTestRelay({ apiToken: TOKEN }, { uiDir });
    logger = await startExfiltrationLogger((base) => ({
      '/imported.css': `${attributeLeakRules(base, GUESSES, 'm').css}\nimg#logo ~ i.control-import { background-image: url(${base}/control?from=import); }`,
      '/linked.css': `${attributeLeakRules(base, GUESSES, 'l').css}\nimg#logo ~ i.control-link { background-image: url(${base}/control?from=link); }`,
    }));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on('request', (r) => requested.push(r.url().split('#')[0]));
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await logger?.stop();
    await relay?.stop();
  });

  it('logs in with the link serve prints, keeping the token for this tab only', async () => {
    await page.goto(relay.relay.addresses().uiUrl);
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('gmr.apiToken'))).toBe(TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.locator('.stream-live').waitFor();
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.locator('.stream-live').waitFor();
  });

  it('does not keep a link token the relay refuses, and asks for the right one', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    try {
      const p = await fresh.newPage();
      await p.goto(`${relay.url}/#token=not-the-token`);
      await p.getByText('The relay did not accept the token in the link', { exact: false }).waitFor();
      expect(p.url()).not.toContain('token');
      expect(await p.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
      await p.getByLabel('API token').fill(TOKEN);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('navigation', { name: 'Views' }).waitFor();
      expect(await p.evaluate(() => sessionStorage.getItem('gmr.apiToken'))).toBe(TOKEN);
      expect(await p.evaluate(() => localStorage.length)).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('shows a mail whose CSS reads attribute values out: with remote content allowed, no part of the token leaves', async () => {
    const inline = attributeLeakRules(logger.url, GUESSES, 'k');
    const smtp = relay.relay.addresses().smtp;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'attacker@example.com',
      to: 'victim@example.com',
      subject: 'Exfiltration attempt',
      html: `<!doctype html><html><head>
        <link rel="stylesheet" href="${logger.url}/linked.css">
        <style>@import url(${logger.url}/imported.css);
          i { display: inline-block; width: 2px; height: 2px; }
          img#logo ~ i.control-inline { background-image: url(${logger.url}/control?from=inline); }
          ${inline.css}</style></head>
        <body><h1>Hello</h1><p><img id="logo" src="cid:logo@attacker" width="64" height="64" alt="logo">
        <span id="bg" style="background-image: url('cid:logo@attacker')"></span>
        <i class="control-inline"></i><i class="control-import"></i><i class="control-link"></i>
        ${inline.elements}${imported.elements}${linked.elements}</p></body></html>`,
      attachments: [{ filename: 'logo.png', content: makePng(64, [10, 120, 60]), cid: 'logo@attacker', contentType: 'image/png' }],
    });
    transport.close();

    await page.getByRole('link', { name: /^Captured/ }).click();
    await page.locator('.captured-row', { hasText: 'Exfiltration attempt' }).click();
    const frameEl = page.locator('iframe[title="HTML preview: Exfiltration attempt"]');
    await frameEl.waitFor();
    const frame = page.frameLocator('iframe[title="HTML preview: Exfiltration attempt"]');
    await frame.getByText('Hello').waitFor();
    await waitFor(() => frame.locator('#logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 64), { what: 'the cid: image to show', ...BROWSER_PACE });
    expect(logger.requests()).toEqual([]);

    await page.getByRole('button', { name: 'Load remote images' }).click();
    await waitFor(
      () => ['inline', 'import', 'link'].every((from) => logger.requests().some((r) => r.url === `/control?from=${from}`)),
      { what: 'the inline, @import and <link> stylesheets to load and apply', ...BROWSER_PACE },
    );
    await waitFor(() => frame.locator('#logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 64), { what: 'the cid: image to show', ...BROWSER_PACE });
    await screenshot(page, 'api-token-01-exfiltration-attempt');

    // what the rules matched, read from the frame itself: none of the leak rules applies
    const backgrounds = await frame.locator('body').evaluate((body) =>
      [...body.querySelectorAll('i')].map((el) => `${el.className}: ${getComputedStyle(el).backgroundImage}`),
    );
    expect(backgrounds.filter((b) => b.includes('/control?from='))).toHaveLength(3);
    expect(backgrounds.filter((b) => b.includes('/leak'))).toEqual([]);
    expect(await frame.locator('#logo').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // the mail's own CSS holds the attacker's guesses; what must never hold the token is an attribute value
    const attributes = await frame.locator('html').evaluate((html) =>
      [html, ...html.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${el.tagName} ${a.name}=${a.value}`)),
    );
    expect(attributes.length).toBeGreaterThan(GUESSES.length);
    expect(attributes.filter(carriesToken)).toEqual([]);

    // and what reached the attacker's server
    const seen = logger.requests();
    expect(seen.filter((r) => r.url.startsWith('/leak'))).toEqual([]);
    expect(seen.filter((r) => carriesToken(r.url) || carriesToken(r.referer ?? ''))).toEqual([]);
  });

  it('loads attachments, the source and the live stream without the token in any URL', async () => {
    await page.getByRole('tab', { name: /Attachments \(1\)/ }).click();
    const thumb = page.locator('.attachments img.thumb');
    await waitFor(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 64), { what: 'the thumbnail to show', ...BROWSER_PACE });
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download logo.png' }).click();
    expect((await download).suggestedFilename()).toBe('logo.png');
    await page.getByRole('tab', { name: 'Raw' }).click();
    await page.locator('.raw-source', { hasText: 'Subject: Exfiltration attempt' }).waitFor();

    expect(requested.some((u) => u.includes('/api/events'))).toBe(true);
    expect(requested.filter(carriesToken)).toEqual([]);
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
