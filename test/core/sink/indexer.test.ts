import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { CapturedAnnouncement } from '../../../src/core/events.js';
import type { NewCaptured } from '../../../src/core/store/ports.js';
import { openStore } from '../../../src/core/store/index.js';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';
import { capturedFixture } from '../../support/captured/captured-fixture.js';
import { waitFor } from '../../support/common/wait.js';
import { tempDir } from '../../support/common/temp-dir.js';
import { PNG } from '../../support/sink/mime.js';

/** a part without Content-Type, named like a text file: mailparser reads it as inline text, not as an attachment */
const UNTYPED_PART = [
  'From: a@example.com',
  'To: b@example.com',
  'Subject: untyped part',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain',
  '',
  'first part',
  '--b',
  'Content-Disposition: inline; filename="notes.txt"',
  '',
  'quokkanotes in the second part',
  '--b--',
  '',
].join('\r\n');

interface Page {
  items: { id: number; subject: string; attachments: number }[];
  unindexed?: number;
}

const idOf = (response: string) => Number(/captured as (\d+)/.exec(response)![1]);

async function search(t: TestRelay, q: string): Promise<Page> {
  const res = await t.api(`/api/captured?q=${encodeURIComponent(q)}&limit=500`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

function unindexed(i: number): NewCaptured {
  return capturedFixture(i, { subject: `stored ${i}`, size: 40 });
}

describe('background indexing of captured mail', () => {
  it('makes the text of a burst searchable and records the exact attachment counts', async () => {
    const t = await startTestRelay();
    const announced = new Map<number, CapturedAnnouncement>();
    t.relay.ctx.bus.on('captured', (a) => announced.set(a.id, a));
    const pool = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true, pool: true, maxConnections: 4 });
    try {
      const mails: SendMailOptions[] = Array.from({ length: 80 }, (_, i) => ({
        from: `sender${i}@example.com`,
        to: 'team@example.org',
        subject: `burst ${i}`,
        text: `Body of message ${i} carries the word burstword${i} and nothing else.`,
        attachments: i % 10 === 0 ? [{ filename: `report-${i}.pdf`, content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' }] : undefined,
      }));
      mails.push({
        from: 'shop@example.com',
        to: 'team@example.org',
        subject: 'with inline logo',
        text: 'invoice text',
        html: '<p>invoice <img src="cid:logo@shop"></p>',
        attachments: [
          { filename: 'logo.png', content: PNG, cid: 'logo@shop', contentType: 'image/png' },
          { filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' },
        ],
      });
      mails.push({ envelope: { from: 'a@example.com', to: ['b@example.com'] }, raw: UNTYPED_PART });
      const ids = (await Promise.all(mails.map((m) => pool.sendMail(m)))).map((info) => idOf(info.response));
      expect(new Set(ids).size).toBe(mails.length);
      const [logo, untyped] = ids.slice(-2);

      // answered 250: stored, listed with its summary, announced
      const store = t.relay.store.captured;
      for (let i = 0; i < 80; i++) {
        const c = await store.get(ids[i]);
        expect(c).toMatchObject({ subject: `burst ${i}`, from: `sender${i}@example.com`, attachments: i % 10 === 0 ? 1 : 0 });
        expect(c!.preview).toContain(`burstword${i}`);
      }
      expect(announced.get(logo)).toMatchObject({ subject: 'with inline logo', attachments: 1 });

      // a search first lets the indexer catch up with everything captured so far
      const hit = await search(t, 'burstword57');
      expect(hit.items.map((i) => i.id)).toEqual([ids[57]]);
      expect(hit.unindexed).toBeUndefined();
      expect(await store.countUnindexed()).toBe(0);
      expect((await search(t, 'body:quokkanotes')).items.map((i) => i.id)).toEqual([untyped]);
      expect((await search(t, 'from:sender12 burstword12')).items.map((i) => i.id)).toEqual([ids[12]]);

      // exact counts: the logo shown by the HTML is not an attachment, the untyped text part neither
      expect((await store.get(logo))!.attachments).toBe(1);
      expect((await store.get(untyped))!.attachments).toBe(0);
      expect((await store.get(untyped))!.preview).toBe('first part quokkanotes in the second part');
      const withFiles = (await search(t, 'has:attachment to:team')).items.map((i) => i.id).sort((a, b) => a - b);
      expect(withFiles).toEqual([...ids.filter((_, i) => i < 80 && i % 10 === 0), logo].sort((a, b) => a - b));
      expect(await t.relay.store.integrityCheck()).toBe('ok');
    } finally {
      pool.close();
      await t.stop();
    }
  });

  it('indexes on its own once the sink is idle', async () => {
    const t = await startTestRelay();
    try {
      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
      const id = idOf((await smtp.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'idle', text: 'platypus' })).response);
      smtp.close();
      const store = t.relay.store.captured;
      await waitFor(async () => (await store.countUnindexed()) === 0, 'background indexing');
      expect((await store.list({ limit: 5, search: { terms: [{ field: 'body', text: 'platypus' }] } })).items.map((i) => i.id)).toEqual([id]);
    } finally {
      await t.stop();
    }
  });

  it('picks up messages left unindexed by an earlier run', async () => {
    const dataDir = tempDir();
    const first = await startTestRelay({}, { dataDir });
    await first.stop();
    const direct = await openStore({ path: path.join(dataDir, 'mail_service.db') });
    const saved = await direct.captured.insertMany(Array.from({ length: 3 }, (_, i) => ({ m: unindexed(i), raw: Buffer.from(`Subject: stored ${i}\r\n\r\nleftover${i} text`) })));
    const ids = saved.map((c) => c.id);
    expect(await direct.captured.countUnindexed()).toBe(3);
    await direct.close();

    const t = await startTestRelay({}, { dataDir });
    try {
      const store = t.relay.store.captured;
      await waitFor(async () => (await store.countUnindexed()) === 0, 'indexing after restart');
      expect((await store.list({ limit: 5, search: { terms: [{ field: 'any', text: 'leftover1' }] } })).items.map((i) => i.id)).toEqual([ids[1]]);
    } finally {
      await t.stop();
    }
  });

  it('bounds how long a flush waits and reports what is left', async () => {
    const t = await startTestRelay();
    try {
      const store = t.relay.store.captured;
      await store.insertMany(Array.from({ length: 300 }, (_, i) => ({ m: unindexed(i), raw: Buffer.from(`Subject: stored ${i}\r\n\r\nbacklog${i}`) })));
      const left = await t.relay.sink.flushIndexing(0);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(300);
      expect(await t.relay.sink.flushIndexing()).toBe(0);
      expect(await store.countUnindexed()).toBe(0);
      expect((await store.list({ limit: 5, search: { terms: [{ field: 'any', text: 'backlog299' }] } })).items).toHaveLength(1);
      // nothing waiting: a flush costs nothing and a search reports nothing unindexed
      expect(await t.relay.sink.flushIndexing(0)).toBe(0);
      expect((await search(t, 'backlog7')).unindexed).toBeUndefined();
    } finally {
      await t.stop();
    }
  });
});
