import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../support/common/wait.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** Synthetic bounces over real SMTP: accepted with 250, then a DSN captured for the envelope sender. */
describe('synthetic bounces in the sandbox sink', () => {
  let t: TestRelay;
  let mailer: ReturnType<typeof nodemailer.createTransport>;

  beforeAll(async () => {
    t = await startTestRelay();
    mailer = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, secure: false, ignoreTLS: true, auth: { user: 'project-x', pass: 'p' } });
  });
  afterAll(async () => {
    mailer.close();
    await t.stop();
  });

  const all = async () => (await t.relay.store.captured.list({ limit: 100 })).items;

  it('accepts bounce+hard@ with 250, then captures an RFC 3464 DSN to the sender in the same mailbox', async () => {
    const info = await mailer.sendMail({ from: 'app@example.com', to: ['bounce+hard@example.org', 'ok@example.org'], subject: 'Welcome', text: 'hi' });
    expect(info.response).toMatch(/^250 Ok: captured as \d+/);
    await waitFor(async () => (await all()).some((c) => c.mail_from === '' && c.rcpt_to[0] === 'app@example.com'), 'the DSN captured');
    const dsn = (await all()).find((c) => c.mail_from === '')!;
    expect(dsn).toMatchObject({ subject: 'Undelivered Mail Returned to Sender', rcpt_to: ['app@example.com'], mailbox: 'project-x' });
    const raw = (await t.relay.store.captured.raw(dsn.id))!.toString();
    expect(raw).toContain('report-type=delivery-status');
    expect(raw).toContain('Final-Recipient: rfc822; bounce+hard@example.org');
    expect(raw).toContain('Status: 5.1.1');
    expect(raw).not.toContain('Final-Recipient: rfc822; ok@example.org');
  });

  it('sends no DSN for a null sender, nor for recipients no rule names', async () => {
    const before = (await all()).length;
    await mailer.sendMail({ envelope: { from: '', to: ['bounce+hard@example.org'] }, from: 'x@example.com', subject: 'null sender', text: 'x' });
    await mailer.sendMail({ from: 'app@example.com', to: 'plain@example.org', subject: 'plain', text: 'x' });
    // a marker that does bounce, sent last: once its DSN is in, an earlier one would be too
    await mailer.sendMail({ from: 'marker@example.com', to: 'bounce+soft@example.org', subject: 'marker', text: 'x' });
    await waitFor(async () => (await all()).some((c) => c.rcpt_to[0] === 'marker@example.com'), 'the marker DSN');
    const after = await all();
    expect(after.length).toBe(before + 4);
    expect(after.filter((c) => c.from.includes('MAILER-DAEMON')).map((c) => c.rcpt_to)).toEqual([['marker@example.com'], ['app@example.com']]);
  });

  it('bounces by a configured rule, counted in its counters', async () => {
    const put = await t.api('/api/emulation', { method: 'PUT', json: { rules: [{ kind: 'bounce', status: '5.7.1', diagnostic: '554 5.7.1 Policy', match: { recipient: '*@blocked.test' } }] } });
    expect(put.status).toBe(200);
    await mailer.sendMail({ from: 'app@example.com', to: 'who@blocked.test', subject: 'policy', text: 'x' });
    await waitFor(async () => (await all()).some((c) => c.mail_from === '' && c.subject.startsWith('Undelivered') && c.id > 3), 'the policy DSN');
    const dsn = (await all()).find((c) => c.mail_from === '' && c.id > 3)!;
    expect((await t.relay.store.captured.raw(dsn.id))!.toString()).toContain('Diagnostic-Code: smtp; 554 5.7.1 Policy');
    expect((await (await t.api('/api/emulation')).json()).counters).toEqual([{ matched: 1, fired: 1 }]);
  });
});
