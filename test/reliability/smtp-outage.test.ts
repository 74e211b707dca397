import { describe, expect, it } from 'vitest';
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

      // down for a while: messages wait (deferred or queued behind the account backoff), none fails
      const downUntil = Date.now() + 2500;
      let sawBackoff = false;
      while (Date.now() < downUntil) {
        const counts = await t.relay.store.messages.countByState();
        expect(counts.error).toBe(0);
        expect(counts.sent).toBe(0);
        if (counts.deferred > 0) sawBackoff = true;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(sawBackoff).toBe(true);

      // back on the same port
      await server.listen(port);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const c = await t.relay.store.messages.countByState();
        if (c.sent + c.reported === 200) break;
        if (Date.now() > deadline) throw new Error(`not delivered: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await t.relay.store.messages.countByState()).error).toBe(0);
      expect(server.seen.size).toBe(200);
      expect(server.duplicates()).toBe(0);
    } finally {
      await t.stop();
      await server.close();
    }
  });
});
