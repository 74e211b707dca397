import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentPreview, HtmlCheckAnswer, LinkCheckAnswer } from '../../../../src/shared/api/index.js';
import { startLinkTarget } from '../../../support/captured/link-target.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:1@x.test',
  'DTSTAMP:20260601T080000Z',
  'DTSTART:20260610T090000Z',
  'DTEND:20260610T100000Z',
  'SUMMARY:Quarterly planning',
  'LOCATION:Room 4',
  'ORGANIZER;CN=Ann Lee:mailto:ann@x.test',
  'ATTENDEE;CN=Bob:mailto:bob@x.test',
  'ATTENDEE:mailto:carol@x.test',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

async function sendTo(t: TestRelay, mail: SendMailOptions): Promise<number> {
  const smtp: Transporter = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
  try {
    const info = await smtp.sendMail({ from: 'a@x.test', to: 'b@x.test', ...mail });
    return Number(/captured as (\d+)/.exec(String(info.response))![1]);
  } finally {
    smtp.close();
  }
}

describe('captured mail HTML tools', () => {
  let t: TestRelay;
  let target: Awaited<ReturnType<typeof startLinkTarget>>;

  beforeAll(async () => {
    target = await startLinkTarget();
    t = await startTestRelay({ sink: { linkCheckPrivate: true } });
  });
  afterAll(async () => {
    await t.stop();
    await target.close();
  });

  it('checks the HTML against caniemail: display:grid is unsupported in Outlook for Windows, with a score', async () => {
    const id = await sendTo(t, { subject: 'grid', html: '<html><head><style>.g{display:grid}</style></head><body><div class="g">x</div></body></html>' });
    const res = await t.api(`/api/captured/${id}/html-check`);
    expect(res.status).toBe(200);
    const check = (await res.json()) as HtmlCheckAnswer;
    const outlook = check.families.find((f) => f.family === 'outlook');
    expect(outlook?.issues).toContainEqual(expect.objectContaining({ feature: 'display:grid', support: 'none', clients: expect.arrayContaining(['outlook.windows']) }));
    expect(check.score).toBeGreaterThan(0);
    expect(check.score).toBeLessThan(100);
    expect(check.clients_checked).toBeGreaterThan(20);
    expect(check.source).toMatch(/^caniemail \d+\.\d+\.\d+, caniemail\.com data of \d{4}-\d{2}-\d{2}$/);

    const plain = await sendTo(t, { subject: 'plain', text: 'no html' });
    expect((await t.api(`/api/captured/${plain}/html-check`)).status).toBe(404);
    expect((await t.api('/api/captured/999999/html-check')).status).toBe(404);
    expect((await t.api('/api/captured/abc/html-check')).status).toBe(404);
  });

  it('checks links and images on request only: statuses, HEAD then GET, redirects, loops, non-web links', async () => {
    const u = target.url;
    const html = `<p><a href="${u}/ok">ok</a> <a href="${u}/missing">gone</a> <a href="${u}/moved">moved</a>
      <a href="${u}/loop">loop</a> <a href="${u}/no-head">no head</a> <a href="ftp://files.x.test/a">ftp</a>
      <a href="mailto:a@x.test">mail</a> <a href="#top">top</a> <a href="${u}/ok">ok again</a><img src="${u}/image.png"></p>`;
    const id = await sendTo(t, { subject: 'links', html });
    // capture and view do not touch the links
    await t.api(`/api/captured/${id}`);
    expect(target.requests).toEqual([]);

    const res = await t.api(`/api/captured/${id}/link-check`, { method: 'POST' });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as LinkCheckAnswer;
    const by = Object.fromEntries(answer.links.map((l) => [l.url.replace(u, ''), l]));
    expect(Object.keys(by)).toEqual(['/ok', '/missing', '/moved', '/loop', '/no-head', 'ftp://files.x.test/a', '/image.png']);
    expect(by['/ok']).toMatchObject({ kind: 'link', status: 200, ok: true, detail: 'HTTP 200 OK', redirects: 0 });
    expect(by['/missing']).toMatchObject({ status: 404, ok: false, detail: 'HTTP 404 Not Found' });
    expect(by['/moved']).toMatchObject({ status: 200, ok: true, redirects: 1 });
    expect(by['/loop']).toMatchObject({ ok: false, detail: 'more than 5 redirects' });
    expect(by['/no-head']).toMatchObject({ status: 200, ok: true });
    expect(by['ftp://files.x.test/a']).toMatchObject({ status: null, ok: false, detail: 'ftp link, not checked' });
    expect(by['/image.png']).toMatchObject({ kind: 'image', status: 200, ok: true });
    expect(answer).toMatchObject({ checked: 6, failed: 3, truncated: false });
    expect(target.requests).toContain('HEAD /ok');
    expect(target.requests).toContain('GET /no-head');
    expect(target.requests).not.toContain('GET /ok');
  });

  it('previews text and calendar attachments; other types say why not', async () => {
    const id = await sendTo(t, {
      subject: 'files',
      text: 'see attached',
      attachments: [
        { filename: 'notes.txt', content: 'Grüße aus Zürich\nline 2', contentType: 'text/plain; charset=utf-8' },
        { filename: 'invite.ics', content: ICS, contentType: 'text/calendar; method=REQUEST' },
        { filename: 'blob.bin', content: Buffer.from([0, 1, 2]), contentType: 'application/octet-stream' },
        { filename: 'broken.ics', content: 'BEGIN:VCALENDAR\r\nthis is not ical', contentType: 'text/calendar' },
      ],
    });
    const preview = async (i: number | string) => {
      const res = await t.api(`/api/captured/${id}/attachments/${i}/preview`);
      return { status: res.status, body: (await res.json()) as AttachmentPreview };
    };
    expect((await preview(0)).body).toEqual({ kind: 'text', text: 'Grüße aus Zürich\nline 2', truncated: false });
    expect((await preview(1)).body).toEqual({
      kind: 'calendar',
      events: [
        {
          summary: 'Quarterly planning',
          start: '2026-06-10T09:00:00Z',
          end: '2026-06-10T10:00:00Z',
          location: 'Room 4',
          organizer: 'Ann Lee <ann@x.test>',
          attendees: ['Bob <bob@x.test>', 'carol@x.test'],
          method: 'REQUEST',
        },
      ],
    });
    expect((await preview(2)).body).toMatchObject({ kind: 'none' });
    const broken = await preview(3);
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ kind: 'none', reason: expect.stringContaining('not a readable calendar') });
    expect((await preview(9)).status).toBe(404);
    expect((await preview('x')).status).toBe(404);
  });
});

describe('captured mail link check with private networks refused (the default)', () => {
  it('refuses a loopback link without requesting it', async () => {
    const target = await startLinkTarget();
    const t = await startTestRelay();
    try {
      const id = await sendTo(t, { subject: 'private', html: `<a href="${target.url}/ok">ok</a> <a href="http://localhost:${new URL(target.url).port}/ok">named</a>` });
      const answer = (await (await t.api(`/api/captured/${id}/link-check`, { method: 'POST' })).json()) as LinkCheckAnswer;
      expect(answer.links.map((l) => [l.ok, l.status])).toEqual([
        [false, null],
        [false, null],
      ]);
      expect(answer.links[0].detail).toMatch(/loopback address .*link_check_private is off/);
      expect(answer.links[1].detail).toMatch(/loopback address/);
      expect(target.requests).toEqual([]);
    } finally {
      await t.stop();
      await target.close();
    }
  });
});
