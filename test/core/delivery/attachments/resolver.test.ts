import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachmentError,
  AttachmentResolver,
  type AttachmentEndpoints,
  type AttachmentInput,
  type AttachmentOptions,
} from '../../../../src/core/delivery/attachments.js';
import { md5Hex } from '../../../../src/core/delivery/attachments/md5-cache.js';
import { FileServer } from '../../../support/attachments/file-server.js';
import { fakeLookup } from '../../../support/attachments/lookup.js';
import { tempDir } from '../../../support/common/temp-dir.js';

let endpoint: FileServer;
let resolver: AttachmentResolver | null = null;
const F1 = Buffer.from('file number 1');

beforeAll(async () => {
  endpoint = await FileServer.start('127.0.0.1');
});
afterAll(() => endpoint.close());
afterEach(() => {
  resolver?.close();
  resolver = null;
});

/** 'acme' has an attachment endpoint (the test server's /get), the default tenant none. */
const endpoints: AttachmentEndpoints = {
  forTenant: async (tenantId) => (tenantId === 'acme' ? { url: endpoint.url('/get'), auth: { method: 'bearer', token: 'acme-token' } } : null),
};

function make(over: Partial<AttachmentOptions> = {}): AttachmentResolver {
  resolver = new AttachmentResolver(
    { timeoutMs: 2000, maxBytes: 1024 * 1024, s3: { endpoint: null, region: 'us-east-1', accessKeyId: null, secretAccessKey: null, forcePathStyle: true }, allowPrivateNetworks: false, cacheDir: tempDir('gmr-att-'), cacheMaxBytes: 1 << 20, cacheMaxAgeSeconds: 3600, ...over },
    endpoints,
  );
  return resolver;
}

async function failure(r: AttachmentResolver, specs: AttachmentInput[], tenantId = 'acme'): Promise<AttachmentError> {
  const err = await r.resolve(specs, { tenantId }).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AttachmentError)) throw new Error(`expected an AttachmentError, got ${String(err)}`);
  return err;
}

describe('AttachmentResolver: storage_path attachments', () => {
  it("fetches from the message tenant's endpoint with its credentials, at most 3 at once", async () => {
    const r = make();
    endpoint.route('/get', { body: 'same for all', delayMs: 150, headers: { 'Content-Type': 'application/octet-stream' } });
    endpoint.maxOpen = 0;
    const specs = (i: number): AttachmentInput[] => [{ storage_path: `vol:f${i}.bin`, fetch_mode: 'endpoint' }];
    const all = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => r.resolve(specs(i), { tenantId: 'acme' })));
    expect(all.map((a) => [a[0].filename, a[0].content.toString()])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [`f${i}.bin`, 'same for all']));
    expect(endpoint.maxOpen).toBe(3);
    const sent = endpoint.bodies.filter((b) => b.path === '/get');
    expect(sent.map((b) => JSON.parse(b.body).storage_path).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `vol:f${i}.bin`));
    expect(new Set(sent.map((b) => `${b.method} ${b.authorization}`))).toEqual(new Set(['POST Bearer acme-token']));
  });

  it('shares one fetch between requests for the same file, and serves the next ones from the cache', async () => {
    const r = make();
    endpoint.route('/get', { body: F1, delayMs: 100 });
    const before = endpoint.hitsOf('/get');
    const spec: AttachmentInput = { storage_path: 'vol:f1.bin', fetch_mode: 'endpoint', content_md5: md5Hex(F1).toUpperCase() };
    const got = await Promise.all(Array.from({ length: 5 }, () => r.resolve([spec], { tenantId: 'acme' })));
    expect(got.every((a) => a[0].content.equals(F1))).toBe(true);
    await r.resolve([spec], { tenantId: 'acme' });
    expect(endpoint.hitsOf('/get') - before).toBe(1);
  });

  it('without content_md5 every message fetches its file (nothing to look it up by)', async () => {
    const r = make();
    endpoint.route('/get', { body: 'x' });
    const before = endpoint.hitsOf('/get');
    await r.resolve([{ storage_path: 'vol:x' }], { tenantId: 'acme' });
    await r.resolve([{ storage_path: 'vol:x' }], { tenantId: 'acme' });
    expect(endpoint.hitsOf('/get') - before).toBe(2);
  });

  it('names what is wrong, after "Attachment fetch failed for <filename>:"', async () => {
    const r = make({ lookup: fakeLookup({ 'files.internal.test': ['10.0.0.8'] }) });
    expect((await failure(r, [{ storage_path: 'vol:a.pdf' }], '')).message).toBe(
      'Attachment fetch failed for a.pdf: no attachment endpoint is configured for this application',
    );
    expect((await failure(r, [{ storage_path: 'vol:a.pdf', content_md5: 'not-an-md5' }])).message).toBe(
      'Attachment fetch failed for a.pdf: content_md5 is not an MD5 (32 hexadecimal digits)',
    );
    expect((await failure(r, [{ storage_path: '/etc/passwd', filename: 'p.txt' }])).message).toBe(
      'Attachment fetch failed for p.txt: local file paths are not read by the relay',
    );
    expect((await failure(r, [{ storage_path: 'http://files.internal.test/a.pdf' }])).message).toBe(
      'Attachment fetch failed for a.pdf: not fetched, files.internal.test resolves to a private address ([attachments] allow_private_networks is off)',
    );
    expect((await failure(r, [{ storage_path: 'base64:%%%', filename: 'b.bin' }])).message).toBe('Attachment fetch failed for b.bin: content is not valid base64');
    const ok = await r.resolve([{ storage_path: 'base64:aGk=', filename: 'hi.txt' }], { tenantId: '' });
    expect(ok[0].content.toString()).toBe('hi');
  });

  it('keeps the size limits for endpoint files', async () => {
    const r = make({ maxBytes: 10 });
    endpoint.route('/get', { body: Buffer.alloc(11) });
    expect((await failure(r, [{ storage_path: 'vol:big.bin' }])).message).toBe('Attachment fetch failed for big.bin: 11 bytes exceed the size limit of 10 bytes');
  });
});
