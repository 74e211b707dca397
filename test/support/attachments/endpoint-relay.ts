import { CLIENT_USER, GenropyApp } from '../genropy/index.js';
import { startDeliveryRelay, type DeliveryFixture } from '../delivery/delivery-relay.js';
import type { ConfigPatch } from '../relay/test-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../smtp/smtp-target.js';

/** An attachment as Genropy pushes it (reference §1.4). */
export interface GenropyAttachment {
  storage_path: string;
  fetch_mode: 'endpoint';
  filename: string;
  content_md5?: string;
}

export interface EndpointRelay {
  f: DeliveryFixture;
  /** the application: its storage, its proxy_get_attachments (faults, counters) */
  app: GenropyApp;
  smtp: SmtpTarget;
  /** stores a file in the application and returns the attachment that names it */
  file(storagePath: string, content: Buffer | string, opts?: { md5?: boolean }): GenropyAttachment;
  stop(): Promise<void>;
}

export const SYNC_PASSWORD = 'sync-secret';

/**
 * A relay in real delivery mode whose default tenant is a Genropy application (the test double), with
 * the classic [client] settings: its endpoint is the one beside the sync URL (`via: 'sync-url'`, the
 * reporter then syncs to it too) or `[client] client_attachment_url`; Basic auth as `mailproxy`.
 */
export async function startEndpointRelay(o: { via?: 'sync-url' | 'attachment-url'; patch?: ConfigPatch } = {}): Promise<EndpointRelay> {
  const app = await GenropyApp.start({ proxyUrl: null });
  app.users.set(CLIENT_USER, SYNC_PASSWORD);
  const smtp = await startSmtpTarget();
  const client = { user: CLIENT_USER, password: SYNC_PASSWORD, ...(o.via === 'sync-url' ? { url: app.syncUrl } : { attachmentUrl: app.attachmentsUrl }) };
  const patch = o.patch ?? {};
  const f = await startDeliveryRelay({
    ...patch,
    client: { ...client, ...patch.client },
    attachments: { timeoutMs: 2000, ...patch.attachments },
  });
  await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
  return {
    f,
    app,
    smtp,
    file(storagePath, content, opts = {}) {
      const stored = app.storage.put(storagePath, content);
      return {
        storage_path: stored.storage_path,
        fetch_mode: 'endpoint',
        filename: app.storage.basename(storagePath),
        ...(opts.md5 === false ? {} : { content_md5: stored.md5 }),
      };
    },
    async stop() {
      await f.stop();
      await smtp.close();
      app.releaseHanging();
      await app.stop();
    },
  };
}
