/** Keyset pagination: the cursor is the last row's key (seq or id), opaque to callers. */
export function encodeCursor(key: number): string {
  return Buffer.from(String(key)).toString('base64url');
}

/** null for a missing or malformed cursor: the first page. */
export function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  const n = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
