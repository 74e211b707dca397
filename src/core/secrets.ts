/**
 * How secrets (account passwords, the upstream sync password) are kept at rest.
 * Headless: stored as given (the data folder is the trust boundary). The desktop app injects a codec
 * backed by Electron safeStorage. Encoded values carry a prefix so both kinds can be read back.
 */
export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

export const plainSecretCodec: SecretCodec = {
  encode: (plain) => plain,
  decode: (stored) => stored,
};
