import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryRelay, type DeliveryFixture } from '../../../support/delivery/delivery-relay.js';
import { FileServer } from '../../../support/attachments/file-server.js';
import { startSmtpTarget, type SmtpTarget } from '../../../support/smtp/smtp-target.js';

/** #17.3 through a whole relay: a message's attachment URL on 127.0.0.1 is an internal address. */
let smtp: SmtpTarget;
let files: FileServer;
let f: DeliveryFixture | null = null;

beforeAll(async () => {
  smtp = await startSmtpTarget();
  files = (await FileServer.start('127.0.0.1')).route('/report.pdf', { body: '%PDF internal', headers: { 'Content-Type': 'application/pdf' } });
});
afterAll(async () => {
  await smtp.close();
  await files.close();
});
afterEach(async () => {
  await f?.stop();
  f = null;
  smtp.messages.length = 0;
});

async function relay(allowPrivateNetworks?: boolean): Promise<DeliveryFixture> {
  const fx = await startDeliveryRelay(allowPrivateNetworks === undefined ? {} : { attachments: { allowPrivateNetworks } });
  await fx.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
  return fx;
}

describe('attachment URLs on private networks ([attachments] allow_private_networks)', () => {
  it('are refused by default: the message fails without a request', async () => {
    f = await relay();
    const url = files.url('/report.pdf');
    await f.enqueue([{ id: 'ssrf', account_id: 'acc', attachments: [{ url }] }]);
    expect((await f.waitState('ssrf', 'error')).error).toBe(
      `attachment 1 (${url}): not fetched, 127.0.0.1 is a loopback address ([attachments] allow_private_networks is off)`,
    );
    expect(files.hitsOf('/report.pdf')).toBe(0);
    expect(smtp.attempts).toHaveLength(0);
  });

  it('are fetched when the setting allows them', async () => {
    f = await relay(true);
    await f.enqueue([{ id: 'ok', account_id: 'acc', attachments: [{ url: files.url('/report.pdf') }] }]);
    await f.waitState('ok', 'sent');
    const parsed = await simpleParser(smtp.messages[0].raw);
    expect(parsed.attachments[0].content.toString()).toBe('%PDF internal');
  });
});
