import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import type { NewCaptured } from '../../../src/core/store/ports.js';
import { startTestRelay } from '../../support/relay/test-relay.js';
import { capturedFixture } from '../../support/captured/captured-fixture.js';
import { waitFor } from '../../support/common/wait.js';

function fixture(i: number, received_ts: number): NewCaptured {
  return capturedFixture(i, { received_ts, subject: `bulk ${i}`, search_text: `needle${i % 2 === 0 ? ' even' : ''}` });
}

describe('captured mail retention', () => {
  it('keeps the newest N messages, pruning source and search index too', async () => {
    const t = await startTestRelay({ sink: { retentionCount: 5 } });
    const removed: number[] = [];
    t.relay.ctx.bus.on('captured.removed', (r) => {
      if (r.ids !== 'all') removed.push(...r.ids);
    });
    try {
      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) {
        const info = await smtp.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `keep ${i}`, text: 'walrus' });
        ids.push(Number(/captured as (\d+)/.exec(info.response)![1]));
      }
      smtp.close();
      const store = t.relay.store.captured;
      await waitFor(async () => (await store.counts()).total === 5, 'retention by count');
      const kept = (await store.list({ limit: 50 })).items.map((i) => i.id);
      expect(kept).toEqual(ids.slice(-5).reverse());
      expect(await store.raw(ids[0])).toBeNull();
      // body text is indexed in the background: wait for it, then the pruned ones must be gone from search
      await t.relay.sink.flushIndexing();
      expect((await store.list({ limit: 50, search: { terms: [{ field: 'any', text: 'walrus' }] } })).items.map((i) => i.id)).toEqual(kept);
      expect(removed.sort((a, b) => a - b)).toEqual(ids.slice(0, 7));
    } finally {
      await t.stop();
    }
  });

  it('drops messages older than the age limit once it is set', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const t = await startTestRelay({}, { clock });
    try {
      const store = t.relay.store.captured;
      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
      const send = async (subject: string) =>
        Number(/captured as (\d+)/.exec((await smtp.sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'x' })).response)![1]);
      const old = [await send('old 1'), await send('old 2')];
      clock.advance(2 * 3600);
      const fresh = [await send('new 1'), await send('new 2')];
      smtp.close();
      expect((await store.counts()).total).toBe(4);
      await t.relay.ctx.settings.update({ sink_retention_age_seconds: 3600 });
      await waitFor(async () => (await store.counts()).total === 2, 'retention by age');
      expect((await store.list({ limit: 10 })).items.map((i) => i.id)).toEqual([...fresh].reverse());
      expect(await Promise.all(old.map((id) => store.get(id)))).toEqual([null, null]);
      clock.advance(2 * 3600);
      expect(await t.relay.sink.pruneNow()).toBe(2);
      expect((await store.counts()).total).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it('prunes a large backlog in small steps while ingest goes on', async () => {
    const t = await startTestRelay({ sink: { retentionCount: 100_000 } });
    try {
      const store = t.relay.store.captured;
      await store.insertMany(Array.from({ length: 3000 }, (_, i) => ({ m: fixture(i, 1_700_000_000 + i), raw: Buffer.from(`Subject: bulk ${i}\r\n\r\nx`) })));
      const removals: number[] = [];
      t.relay.ctx.bus.on('captured.removed', (r) => {
        if (r.ids !== 'all') removals.push(r.ids.length);
      });
      await t.relay.ctx.settings.update({ sink_retention_count: 50 });
      const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
      const info = await smtp.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'during prune', text: 'x' });
      smtp.close();
      const id = Number(/captured as (\d+)/.exec(info.response)![1]);
      await waitFor(async () => (await store.counts()).total === 50, 'prune to 50');
      expect(await store.get(id)).not.toBeNull();
      expect(removals.length).toBeGreaterThan(10);
      expect(Math.max(...removals)).toBeLessThanOrEqual(100);
      expect((await store.list({ limit: 100, search: { terms: [{ field: 'any', text: 'needle' }] } })).items).toHaveLength(49);
    } finally {
      await t.stop();
    }
  });
});
