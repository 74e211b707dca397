import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SecretCodec } from '../secrets.js';

/** Marks a value encrypted with the key file; values without it were stored as given and still read. */
export const KEY_FILE_PREFIX = 'aesgcm:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key file's problem: start-up stops with it. */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

/**
 * Reads the 32-byte key (base64 text) of `[server] secrets_key_file`, or creates the file (0600)
 * with a random one on first use. Keep a copy: without it the stored passwords cannot be read.
 */
export function loadSecretsKey(file: string): { key: Buffer; created: boolean } {
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SecretsKeyError(`cannot read the secrets key file ${file}: ${(err as Error).message}`);
  }
  if (text === null) {
    const key = crypto.randomBytes(32);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, created: true };
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text) {
    throw new SecretsKeyError(`the secrets key file ${file} must hold 32 bytes in base64 (44 characters); leave the path unused and one is generated`);
  }
  return { key, created: false };
}

/** Account, sync and tenant passwords at rest under AES-256-GCM with the key file's key. */
export function createKeyFileCodec(key: Buffer): SecretCodec {
  return {
    encode(plain) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return KEY_FILE_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    decode(stored) {
      if (!stored.startsWith(KEY_FILE_PREFIX)) return stored;
      const raw = Buffer.from(stored.slice(KEY_FILE_PREFIX.length), 'base64');
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretsKeyError('a stored secret cannot be decrypted with the secrets key file: is it the key this data folder was written with?');
      }
    },
  };
}
