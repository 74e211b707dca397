import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load.js';
import { tempDir } from '../../support/common/temp-dir.js';

function withIni(content: string): string {
  const dir = tempDir('gmr-config-');
  fs.writeFileSync(path.join(dir, 'config.ini'), content);
  return dir;
}

describe('loadConfig: the attachment keys (#14.3, #17.3)', () => {
  it('defaults: private networks refused, a 256 MB cache kept 7 days, no explicit attachment URL', () => {
    const { config } = loadConfig({ cwd: tempDir(), env: {} });
    expect(config.attachments).toMatchObject({ allowPrivateNetworks: false, cacheMaxBytes: 256 * 1024 * 1024, cacheMaxAgeSeconds: 7 * 86400 });
    expect(config.client.attachmentUrl).toBeNull();
  });

  it('reads [attachments] and [client] keys from config.ini', () => {
    const cwd = withIni(`
[client]
client_attachment_url = http://127.0.0.1:8080/files/get
[attachments]
allow_private_networks = yes
cache_max_bytes = 1048576
cache_max_age_seconds = 3600
`);
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.client.attachmentUrl).toBe('http://127.0.0.1:8080/files/get');
    expect(config.attachments).toMatchObject({ allowPrivateNetworks: true, cacheMaxBytes: 1048576, cacheMaxAgeSeconds: 3600 });
  });

  it('reads their GMP_* twins', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        GMP_CLIENT_ATTACHMENT_URL: 'https://erp.test/mp/proxy_get_attachments',
        GMP_ATTACHMENT_ALLOW_PRIVATE_NETWORKS: 'true',
        GMP_ATTACHMENT_CACHE_MAX_BYTES: '0',
        GMP_ATTACHMENT_CACHE_MAX_AGE_SECONDS: '60',
      },
    });
    expect(config.client.attachmentUrl).toBe('https://erp.test/mp/proxy_get_attachments');
    expect(config.attachments).toMatchObject({ allowPrivateNetworks: true, cacheMaxBytes: 0, cacheMaxAgeSeconds: 60 });
  });

  it('names the key of a bad value', () => {
    expect(() => loadConfig({ cwd: tempDir(), env: { GMP_ATTACHMENT_ALLOW_PRIVATE_NETWORKS: 'maybe' } })).toThrow(
      'invalid configuration: GMP_ATTACHMENT_ALLOW_PRIVATE_NETWORKS: expected true/false, got "maybe"',
    );
    expect(() => loadConfig({ cwd: withIni('[attachments]\ncache_max_bytes = lots\n'), env: {} })).toThrow(
      'invalid configuration: [attachments] cache_max_bytes: expected an integer, got "lots"',
    );
    expect(() => loadConfig({ cwd: tempDir(), env: { GMP_CLIENT_ATTACHMENT_URL: 'ftp://x/y' } })).toThrow(
      'invalid configuration: GMP_CLIENT_ATTACHMENT_URL: must be an http(s) URL',
    );
  });
});
