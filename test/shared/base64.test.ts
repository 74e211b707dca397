import { afterEach, describe, expect, it } from 'vitest';
import { sendBody } from '../../src/shared/api/send.js';
import { compactBase64, isBase64 } from '../../src/shared/base64.js';
import { AttachmentError, AttachmentResolver } from '../../src/core/delivery/attachments.js';
import { payloadIssue } from '../../src/core/messages/validate.js';
import { tempDir } from '../support/common/temp-dir.js';

const GOOD = ['aGVsbG8=', 'aGVsbG8gd29ybGQ', 'aGk=\n', ' aG Vs\r\nbG8= ', '-_-_', 'ab+/cd==', '', '   '];
const BAD = ['!!', 'aGVs=bG8', 'aGk===', 'aGk=x', 'é', 'a\u0000b', 'aGVsbG8=!'];

describe('isBase64: the one base64 check', () => {
  it('accepts both alphabets, whitespace anywhere and at most two trailing =', () => {
    for (const s of GOOD) expect(isBase64(s), JSON.stringify(s)).toBe(true);
    for (const s of BAD) expect(isBase64(s), JSON.stringify(s)).toBe(false);
    expect(isBase64('aGk=\u00a0\u2003')).toBe(true);
    expect(compactBase64(' aG Vs\r\nbG8= ')).toBe('aGVsbG8=');
  });

  it('answers in linear time: 8 MB of whitespace and near-misses within 250 ms each', () => {
    const n = 8 * 1024 * 1024;
    for (const s of [' '.repeat(n) + '!', 'A'.repeat(n) + '!', `${' \n'.repeat(n / 2)}=!`, '='.repeat(n), 'A '.repeat(n / 2) + '=A']) {
      const start = performance.now();
      expect(isBase64(s)).toBe(false);
      expect(performance.now() - start).toBeLessThan(250);
    }
  });
});

describe('the API, the intake and the dispatcher agree on base64', () => {
  let resolver: AttachmentResolver | null = null;
  afterEach(() => {
    resolver?.close();
    resolver = null;
  });

  it('what one accepts the others accept, what one refuses the others refuse', async () => {
    resolver = new AttachmentResolver(
      {
        timeoutMs: 2000,
        maxBytes: 1024 * 1024,
        s3: { endpoint: null, region: 'us-east-1', accessKeyId: null, secretAccessKey: null, forcePathStyle: true },
        allowPrivateNetworks: false,
        cacheDir: tempDir('gmr-b64-'),
        cacheMaxBytes: 1 << 20,
        cacheMaxAgeSeconds: 3600,
      },
      { forTenant: async () => null },
    );
    for (const content of [...GOOD.filter((s) => s.trim()), ...BAD]) {
      const api = sendBody.safeParse({ from: 'a@example.com', to: 'b@example.com', subject: 's', body_text: 'b', attachments: [{ filename: 'f.bin', content }] }).success;
      const intake = payloadIssue(
        { id: 'm', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: 'b', content_type: 'plain', priority: 2, attachments: [{ filename: 'f.bin', content }] },
        { accountExists: () => true, accountRequired: true },
      );
      const dispatcher = await resolver.resolve([{ filename: 'f.bin', content }], { tenantId: 'default' }).then(
        () => true,
        (e: unknown) => (e instanceof AttachmentError ? false : Promise.reject(e)),
      );
      expect({ content, api, intake: intake === null, dispatcher }).toEqual({ content, api: isBase64(content), intake: isBase64(content), dispatcher: isBase64(content) });
    }
  });
});
