import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyFileCodec, KEY_FILE_PREFIX, loadSecretsKey } from '../../../src/core/secrets/key-file.js';
import { withoutUrlCredentials } from '../../../src/core/secrets/url-credentials.js';
import { tempDir } from '../../support/common/temp-dir.js';

describe('key file codec (AES-256-GCM)', () => {
  const codec = createKeyFileCodec(crypto.randomBytes(32));

  it('round-trips, never the same text twice, and reads values stored as given', () => {
    const a = codec.encode('pässword');
    expect(a.startsWith(KEY_FILE_PREFIX)).toBe(true);
    expect(a).not.toContain('pässword');
    expect(codec.encode('pässword')).not.toBe(a);
    expect(codec.decode(a)).toBe('pässword');
    expect(codec.decode('stored-as-given')).toBe('stored-as-given');
  });

  it('refuses a value written with another key or tampered with', () => {
    const other = createKeyFileCodec(crypto.randomBytes(32));
    expect(() => other.decode(codec.encode('x'))).toThrow(/cannot be decrypted/);
    const enc = codec.encode('secret');
    const tampered = enc.slice(0, -4) + (enc.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => codec.decode(tampered)).toThrow(/cannot be decrypted/);
  });

  it('creates the key file on first use (0600) and reads the same key back', () => {
    const file = path.join(tempDir(), 'keys', 'secrets.key');
    const first = loadSecretsKey(file);
    expect(first.created).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadSecretsKey(file);
    expect(second).toEqual({ key: first.key, created: false });
  });
});

describe('withoutUrlCredentials', () => {
  it('removes user:password@ and nothing else', () => {
    expect(withoutUrlCredentials('https://u:p%40ss@app.example:8443/a?b=c@d')).toBe('https://app.example:8443/a?b=c@d');
    expect(withoutUrlCredentials('http://127.0.0.1:8080/proxy_sync')).toBe('http://127.0.0.1:8080/proxy_sync');
    expect(withoutUrlCredentials(null)).toBeNull();
  });
});
