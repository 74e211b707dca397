import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MailpitClient } from 'mailpit-api';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/common/paths.js';
import { BROWSER_AVAILABLE, launchChromium } from '../support/e2e/browser.js';
import { startTestRelay, type TestRelay } from '../support/relay/test-relay.js';
import { signUpAndConfirm } from '../docs/signup-confirmation.example.js';

const DOC = path.join(PROJECT_ROOT, 'docs', 'testing-mail.md');
const EXAMPLE = path.join(PROJECT_ROOT, 'test', 'docs', 'signup-confirmation.example.ts');

describe('docs/testing-mail.md', () => {
  it('shows the Playwright helper exactly as the test below runs it', () => {
    expect(fs.readFileSync(DOC, 'utf8')).toContain(fs.readFileSync(EXAMPLE, 'utf8').trim());
  });
});

/** The page's Playwright + mailpit-api example, in Chromium, against a real relay and a tiny sign-up app. */
describe.runIf(BROWSER_AVAILABLE)('the Playwright + mailpit-api example of docs/testing-mail.md', () => {
  let relay: TestRelay;
  let app: http.Server;
  let appUrl: string;
  let browser: Browser;
  const confirmed: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: relay.relay.addresses().smtp.port, ignoreTLS: true });
    app = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', appUrl);
      if (req.method === 'POST' && url.pathname === '/signup') {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          const email = new URLSearchParams(body).get('email') ?? '';
          const link = `${appUrl}/confirm?email=${encodeURIComponent(email)}`;
          smtp.sendMail({ from: 'app@example.test', to: email, subject: 'Confirm your account', text: `Welcome! Confirm here: ${link}\n` }).then(
            () => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>Check your mail</p>'),
            () => res.writeHead(500).end(),
          );
        });
        return;
      }
      if (url.pathname === '/confirm') {
        confirmed.push(url.searchParams.get('email') ?? '');
        return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>Confirmed</p>');
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<form method="post" action="/signup"><label>Email <input name="email"></label><button>Sign up</button></form>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    await relay?.stop();
  });

  it('signs up, waits for the confirmation through mailpit-api and follows its link', async () => {
    const mailpit = new MailpitClient(relay.url, { auth: { username: 'tests', password: relay.token } });
    await mailpit.deleteMessages();
    const page = await browser.newPage();
    await page.goto(appUrl);
    const id = await signUpAndConfirm(page, mailpit, 'ann@example.test');
    expect(await page.textContent('body')).toContain('Confirmed');
    expect(confirmed).toEqual(['ann@example.test']);
    expect((await mailpit.getMessageSummary(id)).Subject).toBe('Confirm your account');
    await page.close();
  });
});
