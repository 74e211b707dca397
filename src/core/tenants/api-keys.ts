import crypto from 'node:crypto';

/** A new tenant API key: 32 random bytes, URL-safe (as v0.6.10's token_urlsafe(32)); shown once. */
export function newApiKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What is stored of a key: its SHA-256, hex (v0.6.10's api_key_hash). */
export function apiKeyHash(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of a given secret with the expected one (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
