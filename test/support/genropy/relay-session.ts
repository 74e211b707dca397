/**
 * A real relay (real delivery mode, manual clock, SMTP target on 127.0.0.1) with Genropy applications
 * (this double) registered as its tenants: the setting of test/genropy's whole-session tests.
 */
import { messageKey } from '../../../src/core/store/records.js';
import type { MessageRecord } from '../../../src/core/messages/types.js';
import { startDeliveryRelay, type DeliveryFixture } from '../delivery/delivery-relay.js';
import type { ConfigPatch } from '../relay/test-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../smtp/smtp-target.js';
import { GenropyApp } from './app.js';

export interface GenropySession {
  f: DeliveryFixture;
  smtp: SmtpTarget;
  /** a Genropy application for the tenant, with one account `acc` on the SMTP target (not registered yet) */
  app(tenantId: string): Promise<GenropyApp>;
  /** the relay's row of a tenant's message */
  relayMessage(tenantId: string, id: string): Promise<MessageRecord | null>;
  stop(): Promise<void>;
}

export async function startGenropySession(patch: ConfigPatch = {}): Promise<GenropySession> {
  const smtp = await startSmtpTarget();
  // the default tenant has no application: only the registered tenants are reported
  const f = await startDeliveryRelay({ ...patch, client: { url: null, ...patch.client }, attachments: { timeoutMs: 2000, ...patch.attachments } });
  const apps: GenropyApp[] = [];
  return {
    f,
    smtp,
    async app(tenantId) {
      const app = await GenropyApp.start({ proxyUrl: f.t.url, adminToken: f.t.token, tenantId, clock: f.clock });
      apps.push(app);
      await app.saveAccount({ id: 'acc', smtp_host: smtp.host, smtp_port: smtp.port, smtp_from_address: `noreply@${tenantId}.example.org`, save_output_message: true });
      return app;
    },
    relayMessage: (tenantId, id) => f.t.relay.store.messages.get(messageKey(id, tenantId)),
    async stop() {
      await f.stop();
      for (const app of apps) {
        app.releaseHanging();
        await app.stop();
      }
      await smtp.close();
    },
  };
}
