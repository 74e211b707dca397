import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedPage } from '../../../../src/shared/api/index.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

describe('captured mail search: Mailpit operators over HTTP', () => {
  let t: TestRelay;
  let smtp: Transporter;

  const send = async (mail: SendMailOptions & { envelope?: { from: string; to: string[] } }) => {
    const info = await smtp.sendMail(mail);
    return Number(/captured as (\d+)/.exec(String(info.response))![1]);
  };
  const page = async (q: string): Promise<{ status: number; body: CapturedPage }> => {
    const res = await t.api(`/api/captured?q=${encodeURIComponent(q)}`);
    return { status: res.status, body: (await res.json()) as CapturedPage };
  };
  const ids = async (q: string) => (await page(q)).body.items.map((i) => i.id);

  beforeAll(async () => {
    t = await startTestRelay();
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
  });
  afterAll(async () => {
    smtp.close();
    await t.stop();
  });

  it('narrows with negation, cc:, bcc:, message-id:, filename: (names indexed as text too) and size', async () => {
    await t.api('/api/captured', { method: 'DELETE' });
    const a = await send({ from: 'a@x.test', to: 'b@x.test', cc: 'carol@x.test', subject: 'opsA report', text: 'hello', messageId: '<opsa-1@x.test>' });
    const b = await send({
      from: 'a@x.test',
      to: 'b@x.test',
      subject: 'opsB report',
      text: 'hello',
      attachments: [{ filename: 'budget-2026.xlsx', content: 'x'.repeat(4000) }],
      envelope: { from: 'a@x.test', to: ['b@x.test', 'hidden@x.test'] },
    });
    const c = await send({ from: 'a@x.test', to: 'b@x.test', subject: 'opsC memo', text: 'hello' });
    expect(await ids('hello -report')).toEqual([c]);
    expect(await ids('hello !memo')).toEqual([b, a]);
    expect(await ids('cc:carol')).toEqual([a]);
    expect(await ids('bcc:hidden')).toEqual([b]);
    expect(await ids('bcc:b@x.test')).toEqual([]);
    expect(await ids('message-id:opsa-1')).toEqual([a]);
    expect(await ids('filename:budget')).toEqual([b]);
    expect(await ids('budget')).toEqual([b]);
    expect(await ids('hello larger:3kb')).toEqual([b]);
    expect(await ids('hello smaller:3kb')).toEqual([c, a]);
    expect(await ids('hello after:2000-01-01 before:2999-12-31')).toEqual([c, b, a]);
    expect(await ids('hello before:2000-01-01')).toEqual([]);
    // every match counted, when asked
    expect((await page('hello -memo')).body.matched).toBeUndefined();
    const counted = (await (await t.api(`/api/captured?limit=1&count=1&q=${encodeURIComponent('hello -memo')}`)).json()) as CapturedPage;
    expect(counted).toMatchObject({ matched: 2, items: [expect.objectContaining({ id: b })] });
  });

  it('answers a bad date, a bad size or an unknown operator with a warning beside the results, never an error', async () => {
    await t.api('/api/captured', { method: 'DELETE' });
    const a = await send({ from: 'a@x.test', to: 'b@x.test', subject: 'warned', text: 'hello' });
    const bad = await page('warned before:someday larger:lots');
    expect(bad.status).toBe(200);
    expect(bad.body.items.map((i) => i.id)).toEqual([a]);
    expect(bad.body.warnings?.map((w) => w.operator)).toEqual(['before:', 'larger:']);
    const unknown = await page('subjet:warned');
    expect(unknown.status).toBe(200);
    expect(unknown.body.warnings).toEqual([{ operator: 'subjet:', message: expect.stringContaining('unknown operator') }]);
    expect((await page('warned')).body.warnings).toBeUndefined();
    expect((await page('warned')).body.matched).toBeUndefined();
  });

  it('deletes exactly what an operator search matches; Mailpit\'s search sees the same operators', async () => {
    await t.api('/api/captured', { method: 'DELETE' });
    const keep = await send({ from: 'a@x.test', to: 'b@x.test', subject: 'ticket keep', text: 'x' });
    await send({ from: 'a@x.test', to: 'b@x.test', subject: 'ticket drop', text: 'x', attachments: [{ filename: 'log.txt', content: 'y' }] });
    const mp = await t.api(`/api/v1/search?query=${encodeURIComponent('ticket filename:log.txt')}`);
    expect(((await mp.json()) as { messages_count: number }).messages_count).toBe(1);
    // Mailpit's tz places a date without a zone: a day ahead of now, anywhere, matches nothing yet
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const zoned = await t.api(`/api/v1/search?query=${encodeURIComponent(`ticket after:${tomorrow}`)}&tz=Pacific/Kiritimati`);
    expect(((await zoned.json()) as { messages_count: number }).messages_count).toBe(0);
    const before = await t.api(`/api/v1/search?query=${encodeURIComponent(`ticket before:${tomorrow}`)}&tz=Europe/Rome`);
    expect(((await before.json()) as { messages_count: number }).messages_count).toBe(2);
    const del = await t.api(`/api/captured?q=${encodeURIComponent('ticket -keep')}`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ ok: true, removed: 1 });
    expect(await ids('ticket')).toEqual([keep]);
  });
});
