import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedAddressClass } from '../../../../src/core/delivery/attachments/address-policy.js';
import { AttachmentError } from '../../../../src/core/delivery/attachments/errors.js';
import { fetchUrl, type UrlFetchOptions } from '../../../../src/core/delivery/attachments/url-fetch.js';
import { FileServer } from '../../../support/attachments/file-server.js';
import { fakeLookup } from '../../../support/attachments/lookup.js';

/**
 * The guard of attachment URLs (#17.3): real servers on loopback. 127.0.0.2 stands for a public
 * server (the tests' address policy lets it through); 127.0.0.1 and ::1 are the internal ones.
 */
const PUBLIC_STAND_IN = '127.0.0.2';
const addressClass = (a: string) => (a === PUBLIC_STAND_IN ? null : refusedAddressClass(a));

let inside: FileServer;
let inside6: FileServer;
let outside: FileServer;
const PDF = Buffer.from('%PDF-1.4 public file\n');

beforeAll(async () => {
  inside = (await FileServer.start('127.0.0.1')).route('/secret', { body: 'internal data', headers: { 'Content-Type': 'text/plain' } });
  inside6 = (await FileServer.start('::1')).route('/secret', { body: 'internal data' });
  outside = await FileServer.start(PUBLIC_STAND_IN);
  outside
    .route('/file.pdf', { body: PDF, headers: { 'Content-Type': 'application/pdf' } })
    .route('/to-inside', { redirect: inside.url('/secret') })
    .route('/to-inside-by-name', { redirect: `http://intranet.test:${inside.port}/secret` })
    .route('/to-file', { redirect: '/file.pdf', status: 301 })
    .route('/to-ftp', { redirect: 'ftp://files.test/x' })
    .route('/down', { status: 503, body: '<html>backend 10.0.0.7:8080 is down</html>', headers: { 'Content-Type': 'text/html' } })
    .route('/hidden', { status: 404, body: 'user root not found in /etc/passwd' })
    .route('/odd-reason', { status: 418, body: 'db password is hunter2' });
  for (let i = 0; i < 7; i++) outside.route(`/loop${i}`, { redirect: `/loop${i + 1}` });
  outside.route('/loop7', { body: PDF });
});

afterAll(async () => {
  await Promise.all([inside.close(), inside6.close(), outside.close()]);
});

function opts(over: Partial<UrlFetchOptions> = {}): UrlFetchOptions & { showUrl: boolean } {
  return { timeoutMs: 2000, maxBytes: 1024 * 1024, allowPrivateNetworks: false, addressClass, showUrl: true, ...over };
}

async function failure(url: string, o = opts()): Promise<AttachmentError> {
  const err = await fetchUrl(url, 'attachment 1', o).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AttachmentError)) throw new Error(`expected an AttachmentError, got ${String(err)}`);
  return err;
}

describe('attachment URLs: internal addresses are refused by default', () => {
  it('refuses 127.0.0.1 without connecting, and fetches it with allow_private_networks', async () => {
    const before = inside.hitsOf('/secret');
    const err = await failure(inside.url('/secret'));
    expect(err.message).toBe(
      `attachment 1 (${inside.url('/secret')}): not fetched, 127.0.0.1 is a loopback address ([attachments] allow_private_networks is off)`,
    );
    expect(err.temporary).toBe(false);
    expect(inside.hitsOf('/secret')).toBe(before);
    const bytes = await fetchUrl(inside.url('/secret'), 'attachment 1', opts({ allowPrivateNetworks: true }));
    expect(bytes.toString()).toBe('internal data');
  });

  it('refuses IPv6 loopback and the IPv4-mapped and other spellings of 127.0.0.1', async () => {
    const port = inside.port;
    const before = inside.hitsOf('/secret');
    expect((await failure(inside6.url('/secret'))).message).toContain('[::1] is a loopback address');
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '2130706433', '0x7f.1', '127.1']) {
      expect((await failure(`http://${host}:${port}/secret`)).message, host).toMatch(/is a loopback address/);
    }
    expect((await failure(`http://0.0.0.0:${port}/secret`)).message).toContain('0.0.0.0 is an unspecified address');
    expect((await failure('http://169.254.169.254/latest/meta-data/')).message).toContain('169.254.169.254 is a link-local address');
    expect(inside.hitsOf('/secret')).toBe(before);
    expect(inside6.hitsOf('/secret')).toBe(0);
    expect((await fetchUrl(inside6.url('/secret'), 'a', opts({ allowPrivateNetworks: true }))).toString()).toBe('internal data');
  });

  it('refuses a host name that resolves to a private address, or to any private address among others', async () => {
    const lookup = fakeLookup({
      'files.internal.test': ['192.168.10.20'],
      'mixed.test': [PUBLIC_STAND_IN, '10.1.2.3'],
      'v6.test': ['fd12:3456::1'],
      'mapped.test': ['::ffff:10.0.0.1'],
    });
    expect((await failure('http://files.internal.test/a.pdf', opts({ lookup }))).message).toBe(
      'attachment 1 (http://files.internal.test/a.pdf): not fetched, files.internal.test resolves to a private address ([attachments] allow_private_networks is off)',
    );
    expect((await failure('http://mixed.test/a.pdf', opts({ lookup }))).message).toContain('mixed.test resolves to a private address');
    expect((await failure('http://v6.test/a.pdf', opts({ lookup }))).message).toContain('v6.test resolves to a unique-local address');
    expect((await failure('http://mapped.test/a.pdf', opts({ lookup }))).message).toContain('mapped.test resolves to a private address');
  });

  it('connects to the address it checked: one lookup per hop, no second resolution', async () => {
    const lookup = fakeLookup({ 'files.test': [PUBLIC_STAND_IN] });
    const bytes = await fetchUrl(`http://files.test:${outside.port}/file.pdf`, 'attachment 1', opts({ lookup }));
    expect(bytes.equals(PDF)).toBe(true);
    expect(lookup.calls).toEqual(['files.test']);
  });
});

describe('attachment URLs: redirects are followed here and checked at every hop', () => {
  it('follows a redirect to an allowed address', async () => {
    expect((await fetchUrl(outside.url('/to-file'), 'a', opts())).equals(PDF)).toBe(true);
  });

  it('refuses a redirect from an allowed to an internal address, by address or by name', async () => {
    const before = inside.hitsOf('/secret');
    const err = await failure(outside.url('/to-inside'));
    expect(err.message).toBe(
      `attachment 1 (${outside.url('/to-inside')}): not fetched, 127.0.0.1 is a loopback address ([attachments] allow_private_networks is off)`,
    );
    const lookup = fakeLookup({ 'intranet.test': ['127.0.0.1'] });
    expect((await failure(outside.url('/to-inside-by-name'), opts({ lookup }))).message).toContain('intranet.test resolves to a loopback address');
    expect(lookup.calls).toEqual(['intranet.test']);
    expect(inside.hitsOf('/secret')).toBe(before);
  });

  it('stops after 5 redirects, and never follows one to another scheme', async () => {
    expect((await failure(outside.url('/loop0'))).message).toBe(`attachment 1 (${outside.url('/loop0')}): more than 5 redirects`);
    expect((await fetchUrl(outside.url('/loop2'), 'a', opts())).equals(PDF)).toBe(true);
    expect((await failure(outside.url('/to-ftp'))).message).toBe(`attachment 1 (${outside.url('/to-ftp')}): redirected to a 'ftp:' URL, not fetched`);
  });
});

describe('attachment URLs: what an error tells', () => {
  it('a status line made from the code alone, never the upstream body or reason text', async () => {
    const down = await failure(outside.url('/down'));
    expect(down.message).toBe(`attachment 1 (${outside.url('/down')}): HTTP 503 Service Unavailable`);
    expect(down.temporary).toBe(true);
    const hidden = await failure(outside.url('/hidden'));
    expect(hidden.message).toBe(`attachment 1 (${outside.url('/hidden')}): HTTP 404 Not Found`);
    expect(hidden.temporary).toBe(false);
    expect((await failure(outside.url('/odd-reason'))).message).toBe(`attachment 1 (${outside.url('/odd-reason')}): HTTP 418 I'm a Teapot`);
  });

  it('a refused connection in words, without the address and port it tried', async () => {
    const closed = await FileServer.start(PUBLIC_STAND_IN);
    const url = closed.url('/file.pdf');
    await closed.close();
    const err = await failure(url);
    expect(err.message).toBe(`attachment 1 (${url}): connection refused`);
    expect(err.temporary).toBe(true);
  });

  it('keeps the time and size limits', async () => {
    outside.route('/slow', { hang: true }).route('/big', { body: Buffer.alloc(4096, 1) });
    expect((await failure(outside.url('/slow'), opts({ timeoutMs: 300 }))).message).toBe(`attachment 1 (${outside.url('/slow')}): no answer within 300 ms`);
    expect((await failure(outside.url('/big'), opts({ maxBytes: 1000 }))).message).toBe(
      `attachment 1 (${outside.url('/big')}): 4096 bytes exceed the size limit of 1000 bytes`,
    );
  });
});
