import { describe, expect, it } from 'vitest';
import { messageKey } from '../../../../src/core/store/records.js';
import { NOW, errorOutcome, payload, seqOf } from '../../../support/store/fixtures.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('PostgreSQL store (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();

  describe('PostgreSQL store: text PostgreSQL cannot hold', () => {
    it('keeps a NUL character of a subject or an SMTP error out of the display columns, and in the payload', async () => {
      const { store, remove } = await openTempPgStore(cluster());
      try {
        const subject = 'before\u0000after';
        expect(await store.messages.enqueue([payload('nul', { subject })], NOW)).toEqual({ queued: 1, rejected: [] });
        const m = await store.messages.get(messageKey('nul'));
        expect(m?.subject).toBe('beforeafter');
        expect(m?.payload.subject).toBe(subject);
        await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
        await store.dispatch.markError([errorOutcome(await seqOf(store, 'nul'), { error: '550 bad\u0000byte' })], NOW + 1);
        expect((await store.messages.get(messageKey('nul')))?.error).toBe('550 badbyte');
      } finally {
        await remove();
      }
    });
  });
});
