import { describe, expect, it } from 'vitest';
import { attachmentSource, derivedName } from '../../../../src/core/delivery/attachments/source.js';

describe('attachmentSource: where an attachment comes from', () => {
  it('the classic sources: content, url, s3', () => {
    expect(attachmentSource({ content: 'aGk=' })).toEqual({ kind: 'content', base64: 'aGk=' });
    expect(attachmentSource({ url: 'https://x.test/a.pdf' })).toEqual({ kind: 'url', url: 'https://x.test/a.pdf' });
    expect(attachmentSource({ s3: { bucket: 'b', key: 'k/a.pdf' } })).toEqual({ kind: 's3', bucket: 'b', key: 'k/a.pdf' });
  });

  it("Genropy's attachments go to the endpoint: fetch_mode endpoint, or a bare volume:path", () => {
    expect(attachmentSource({ storage_path: 'home:docs/a.pdf', fetch_mode: 'endpoint', filename: 'a.pdf', content_md5: 'x' })).toEqual({
      kind: 'endpoint',
      storagePath: 'home:docs/a.pdf',
    });
    expect(attachmentSource({ storage_path: 'home:docs/a.pdf' })).toEqual({ kind: 'endpoint', storagePath: 'home:docs/a.pdf' });
    expect(attachmentSource({ storage_path: 'https://x.test/a.pdf', fetch_mode: 'endpoint' })).toEqual({ kind: 'endpoint', storagePath: 'https://x.test/a.pdf' });
  });

  it('a storage_path is otherwise read by its prefix, as v0.6.10 does; local files are never read', () => {
    expect(attachmentSource({ storage_path: 'base64:aGk=' })).toEqual({ kind: 'storage-base64', base64: 'aGk=' });
    expect(attachmentSource({ storage_path: 'aGk=', fetch_mode: 'base64' })).toEqual({ kind: 'storage-base64', base64: 'aGk=' });
    expect(attachmentSource({ storage_path: 'HTTPS://x.test/a.pdf' })).toEqual({ kind: 'storage-url', url: 'HTTPS://x.test/a.pdf' });
    expect(attachmentSource({ storage_path: 'home:a.pdf', fetch_mode: 'http_url' })).toEqual({ kind: 'storage-url', url: 'home:a.pdf' });
    expect(attachmentSource({ storage_path: '/etc/passwd' })).toEqual({ kind: 'refused', reason: 'local file paths are not read by the relay' });
    expect(attachmentSource({ storage_path: 'home:a', fetch_mode: 'filesystem' })).toEqual({ kind: 'refused', reason: 'local file paths are not read by the relay' });
    expect(attachmentSource({ storage_path: 'home:a', fetch_mode: 'ftp' })).toEqual({ kind: 'refused', reason: "unknown fetch_mode 'ftp'" });
    expect(attachmentSource({ storage_path: '' })).toEqual({ kind: 'refused', reason: 'storage_path is empty' });
  });

  it('exactly one source', () => {
    const refused = { kind: 'refused', reason: 'give exactly one of content, url, s3 or storage_path' };
    expect(attachmentSource({ filename: 'a.pdf' })).toEqual(refused);
    expect(attachmentSource({ filename: 'a.pdf', storage_path: null, content_md5: null } as unknown as Parameters<typeof attachmentSource>[0])).toEqual(refused);
    expect(attachmentSource({ content: 'aGk=', storage_path: 'home:a.pdf' })).toEqual(refused);
  });

  it('the file name a source suggests', () => {
    expect(derivedName({ kind: 'endpoint', storagePath: 'home:docs/offer.pdf' })).toBe('offer.pdf');
    expect(derivedName({ kind: 'endpoint', storagePath: 'offer.pdf' })).toBe('offer.pdf');
    expect(derivedName({ kind: 'url', url: 'https://x.test/f/r%C3%A9sum%C3%A9.pdf?sig=1' })).toBe('résumé.pdf');
    expect(derivedName({ kind: 's3', bucket: 'b', key: 'k/c.bin' })).toBe('c.bin');
    expect(derivedName({ kind: 'content', base64: '' })).toBeUndefined();
  });
});
