import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheScope } from '../../../../src/core/delivery/attachments/md5-cache.js';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttachmentInput } from '../../../../src/core/delivery/attachments.js';
import { CLIENT_USER } from '../../../support/genropy/index.js';
import { SYNC_PASSWORD, startEndpointRelay, type EndpointRelay } from '../../../support/attachments/endpoint-relay.js';
import { timelineDetail } from '../../../support/delivery/delivery-relay.js';
import { waitFor } from '../../../support/common/wait.js';

let r: EndpointRelay | null = null;
afterEach(async () => {
  await r?.stop();
  r = null;
});

const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x00, 0xff, 0x10]);
const BASIC = `Basic ${Buffer.from(`${CLIENT_USER}:${SYNC_PASSWORD}`).toString('base64')}`;

async function attachmentsOf(raw: string): Promise<Record<string, Buffer>> {
  const parsed = await simpleParser(raw);
  return Object.fromEntries(parsed.attachments.map((a) => [a.filename ?? '', a.content]));
}

describe('endpoint attachments (#14.3): fetched from the application', () => {
  it('POSTs {storage_path} with the sync credentials to the endpoint beside the sync URL, on 127.0.0.1', async () => {
    r = await startEndpointRelay({ via: 'sync-url' });
    expect(r.f.t.relay.ctx.config.attachments.allowPrivateNetworks).toBe(false);
    const offer = r.file('home:docs/offer.pdf', PDF);
    r.app.storage.put('home:notes/readme.txt', 'plain notes');
    const bare: AttachmentInput = { storage_path: 'home:notes/readme.txt' };
    await r.f.enqueue([{ id: 'm1', account_id: 'acc', attachments: [offer, bare] }]);
    await waitFor(async () => (await r!.f.msg('m1')).state === 'sent', 'm1 sent');
    const files = await attachmentsOf(r.smtp.messages[0].raw);
    expect(files['offer.pdf'].equals(PDF)).toBe(true);
    expect(files['readme.txt'].toString()).toBe('plain notes');
    const calls = r.app.log.find('in', '/proxy_get_attachments');
    expect(calls.map((c) => [c.method, c.headers.authorization, c.headers['content-type'], c.request.json, c.status])).toEqual([
      ['POST', BASIC, 'application/json', { storage_path: 'home:docs/offer.pdf' }, 200],
      ['POST', BASIC, 'application/json', { storage_path: 'home:notes/readme.txt' }, 200],
    ]);
    // the operator's sync URL on 127.0.0.1 keeps working beside it
    await waitFor(async () => (await r!.f.msg('m1')).reported_ts !== null, 'm1 reported');
    expect(r.app.counters.syncs).toBeGreaterThan(0);
  });

  it('fetches a file sent to 1,000 recipients once: single flight, then the MD5 cache in the data folder', async () => {
    r = await startEndpointRelay({ patch: { delivery: { maxConcurrency: 20, maxPerAccount: 10 } } });
    const circular = r.file('home:circulars/2026-01.pdf', PDF);
    const ids = Array.from({ length: 1000 }, (_, n) => `c${n}`);
    await r.f.enqueue(ids.map((id, n) => ({ id, account_id: 'acc', to: [`u${n}@example.com`], attachments: [circular] })));
    await waitFor(() => r!.smtp.messages.length === 1000, { what: '1,000 messages sent', timeoutMs: 60_000 });
    for (const id of ['c0', 'c499', 'c999']) expect((await r.f.msg(id)).state).toBe('sent');
    expect(r.app.counters.attachmentRequests).toBe(1);
    const cached = path.join(r.f.t.dataDir, 'attachment-cache', `${cacheScope('')}-${circular.content_md5!}`);
    expect(fs.readFileSync(cached).equals(PDF)).toBe(true);
    expect(fs.statSync(cached).mode & 0o777).toBe(0o600);
    const files = await attachmentsOf(r.smtp.messages[999].raw);
    expect(files['2026-01.pdf'].equals(PDF)).toBe(true);
  }, 90_000);

  it('fails a message for good on 404, a JSON answer (credentials refused) or an MD5 mismatch, with Genropy\'s text', async () => {
    r = await startEndpointRelay();
    const refused = r.file('home:auth.pdf', PDF);
    r.app.faults.attachments = { mode: 'json-error', paths: ['home:auth.pdf'] };
    const changed = { ...r.file('home:changed.pdf', PDF), content_md5: 'e'.repeat(32) };
    const gone: AttachmentInput = { storage_path: 'home:gone.pdf', fetch_mode: 'endpoint', filename: 'gone.pdf' };
    await r.f.enqueue([
      { id: 'gone', account_id: 'acc', attachments: [gone] },
      { id: 'auth', account_id: 'acc', attachments: [refused] },
      { id: 'md5', account_id: 'acc', attachments: [changed] },
    ]);
    const error = async (id: string) => {
      const m = await r!.f.waitState(id, 'error');
      expect(m.retry_count, id).toBe(0);
      return m.error;
    };
    expect(await error('gone')).toBe('Attachment fetch failed for gone.pdf: HTTP 404 Not Found (Attachment not found: home:gone.pdf)');
    expect(await error('auth')).toBe(
      'Attachment fetch failed for auth.pdf: HTTP 200 OK with a JSON answer instead of the file (!!Error code AUTH-901 : gnr/web/gnrwebpage.py:1317.)',
    );
    const md5 = crypto.createHash('md5').update(PDF).digest('hex');
    expect(await error('md5')).toBe(`Attachment fetch failed for changed.pdf: the content does not match content_md5 (its MD5 is ${md5})`);
    expect(r.smtp.attempts).toHaveLength(0);
    const cacheDir = path.join(r.f.t.dataDir, 'attachment-cache');
    expect(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []).toEqual([]);
  });

  it('retries a 503 on the relay\'s schedule: the message ends sent once the endpoint recovers', async () => {
    r = await startEndpointRelay();
    const offer = r.file('home:offer.pdf', PDF);
    r.app.faults.attachments = { mode: 'unavailable', times: 1 };
    await r.f.enqueue([{ id: 'later', account_id: 'acc', attachments: [offer] }]);
    const deferred = await r.f.waitState('later', 'deferred');
    expect(deferred.retry_count).toBe(1);
    expect(deferred.deferred_ts).toBe(r.f.now() + 60);
    const [defer] = await timelineDetail(r.f, 'later', 'deferred');
    expect(defer.error).toBe(
      'Attachment fetch failed for offer.pdf: HTTP 503 Service Unavailable (Storage error for attachment home:offer.pdf: service in maintenance)',
    );
    expect(r.smtp.attempts).toHaveLength(0);
    r.f.advance(61);
    await r.f.waitState('later', 'sent');
    expect(r.app.counters.attachmentRequests).toBe(2);
    expect((await attachmentsOf(r.smtp.messages[0].raw))['offer.pdf'].equals(PDF)).toBe(true);
  });

  it('treats an endpoint that does not answer, or refuses the connection, as temporary', async () => {
    r = await startEndpointRelay({ patch: { attachments: { timeoutMs: 400 } } });
    const slow = r.file('home:slow.pdf', PDF);
    r.app.faults.attachments = { mode: 'hang', paths: ['home:slow.pdf'], times: 1 };
    await r.f.enqueue([{ id: 'hang', account_id: 'acc', attachments: [slow] }]);
    expect((await r.f.waitState('hang', 'deferred')).retry_count).toBe(1);
    expect((await timelineDetail(r.f, 'hang', 'deferred'))[0].error).toBe('Attachment fetch failed for slow.pdf: no answer within 400 ms');
    r.f.advance(61);
    await r.f.waitState('hang', 'sent');

    r.app.releaseHanging();
    await r.app.stop();
    await r.f.enqueue([{ id: 'down', account_id: 'acc', attachments: [slow] }]);
    await r.f.waitState('down', 'sent'); // cached by MD5 on the retry above: no fetch needed
    const other: AttachmentInput = { storage_path: 'home:other.pdf', fetch_mode: 'endpoint', filename: 'other.pdf' };
    await r.f.enqueue([{ id: 'refused', account_id: 'acc', attachments: [other] }]);
    await r.f.waitState('refused', 'deferred');
    expect((await timelineDetail(r.f, 'refused', 'deferred'))[0].error).toBe('Attachment fetch failed for other.pdf: connection refused');
  });

  it('gives up after max_retries, keeping the text Genropy\'s own retry looks for', async () => {
    r = await startEndpointRelay({ patch: { delivery: { maxRetries: 1 } } });
    const offer = r.file('home:offer.pdf', PDF);
    r.app.faults.attachments = { mode: 'unavailable' };
    await r.f.enqueue([{ id: 'never', account_id: 'acc', attachments: [offer] }]);
    await r.f.waitState('never', 'deferred');
    r.f.advance(61);
    const m = await r.f.waitState('never', 'error');
    expect(m.error).toBe(
      'Attachment fetch failed for offer.pdf: HTTP 503 Service Unavailable (Storage error for attachment home:offer.pdf: service in maintenance) (Max retries (1) exceeded)',
    );
    expect(r.app.counters.attachmentRequests).toBe(2);
  });
});
