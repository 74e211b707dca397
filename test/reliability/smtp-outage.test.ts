import { describe, expect, it, vi } from 'vitest';
import { startTestRelay } from '../support/relay/test-relay.js';
import { CountingSmtpServer } from '../support/smtp/counting-smtp.js';

describe('target SMTP server outage', () => {
  it('keeps every message through an outage and delivers all of them once the server is back', async () => {
    // find a port, then take the server down: the relay meets "connection refused"
    const server = new CountingSmtpServer();
    const port = await server.listen();
    await server.close();

    const t = await startTestRelay({ deliveryMode: 'real', delivery: { retryDelays: [1, 1, 2], retryJitter: 0, maxRetries: 20 } });
    try {
      await t.api('/account', { method: 'POST', json: { id: 'target', host: '127.0.0.1', port } });
      const messages = Array.from({ length: 200 }, (_, i) => ({
        id: `out-${i}`,
        account_id: 'target',
        from: 'a@example.com',
        to: ['b@example.com'],
        subject: `outage ${i}`,
        body: 'x',
        message_id: `<out-${i}@relay.test>`,
      }));
      expect((await t.api('/commands/add-messages', { method: 'POST', json: { messages } })).status).toBe(200);

      // while it is down, messages wait (deferred or queued behind the account backoff), none fails
      await vi.waitFor(
        async () => {
          const counts = await t.relay.store.messages.countByState();
          expect(counts.deferred).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 50 },
      );
      await t.relay.dispatcher.pumpIdle();
      const down = await t.relay.store.messages.countByState();
      expect([down.error, down.sent]).toEqual([0, 0]);
      expect(t.relay.dispatcher.accountStatus('', 'target').backoff_until).not.toBeNull();

      // back on the same port
      await server.listen(port);
      await vi.waitFor(
        async () => {
          const c = await t.relay.store.messages.countByState();
          expect(c.sent, `not delivered: ${JSON.stringify(c)}`).toBe(200);
        },
        { timeout: 30_000, interval: 100 },
      );
      expect((await t.relay.store.messages.countByState()).error).toBe(0);
      expect(server.seen.size).toBe(200);
      expect(server.duplicates()).toBe(0);
    } finally {
      await t.stop();
      await server.close();
    }
  });
});
