import type { SecretCodec } from '../core/secrets.js';
import type { SafeStorageLike } from './electron-types.js';

/** Marks a value encrypted with the OS keychain; values without it were stored as given (headless). */
export const SAFE_STORAGE_PREFIX = 'safestorage:v1:';

export interface SafeStorageCodecOptions {
  /** told once when the keychain is unavailable and secrets are kept as given */
  onUnavailable?: () => void;
  /** a stored value could not be decrypted (keychain reset, copied data folder) */
  onDecryptError?: (err: unknown) => void;
}

/**
 * Account and upstream sync passwords at rest, encrypted with Electron safeStorage (Keychain,
 * DPAPI, libsecret/kwallet). The prefix keeps values written by the headless relay readable,
 * so one data folder can move between the two.
 */
export function createSafeStorageCodec(safeStorage: SafeStorageLike, opts: SafeStorageCodecOptions = {}): SecretCodec {
  let warned = false;
  // Linux without a keyring falls back to 'basic_text': a key built into Chromium, which hides
  // nothing and would only make the data folder unreadable to the headless relay
  const available = () =>
    safeStorage.isEncryptionAvailable() && safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  return {
    encode(plain) {
      if (!available()) {
        if (!warned) {
          warned = true;
          opts.onUnavailable?.();
        }
        return plain;
      }
      return SAFE_STORAGE_PREFIX + safeStorage.encryptString(plain).toString('base64');
    },
    decode(stored) {
      if (!stored.startsWith(SAFE_STORAGE_PREFIX)) return stored;
      try {
        return safeStorage.decryptString(Buffer.from(stored.slice(SAFE_STORAGE_PREFIX.length), 'base64'));
      } catch (err) {
        // An unreadable password behaves like a missing one: delivery reports an auth error
        // and the user enters it again, instead of the account list failing to load.
        opts.onDecryptError?.(err);
        return '';
      }
    },
  };
}
