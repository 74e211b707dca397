/**
 * Stored secrets stay with the server they were given for: an edit that points an account, the sync
 * URL or a tenant's application elsewhere drops the stored secret unless the same edit supplies it.
 */

/** What happens to a stored secret on an edit. */
export type SecretFate =
  /** the edit supplies the secret (or clears it) */
  | { kind: 'given' }
  /** nothing was stored */
  | { kind: 'none' }
  /** same server: the stored secret stays */
  | { kind: 'kept' }
  /** another server: the stored secret is not sent there */
  | { kind: 'dropped'; reason: string };

export interface SecretEdit {
  /** the edit carries the secret (a value or an explicit null) */
  given: boolean;
  stored: boolean;
  /** why the server changed, or null when it is the same one */
  serverChange: string | null;
}

export function secretFate(edit: SecretEdit): SecretFate {
  if (edit.given) return { kind: 'given' };
  if (!edit.stored) return { kind: 'none' };
  if (edit.serverChange === null) return { kind: 'kept' };
  return { kind: 'dropped', reason: edit.serverChange };
}

/** The SMTP server an account's credentials are for. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  user: string | null;
}

/** What changed between the stored account and the edit (host, port or user), or null. */
export function accountServerChange(before: SmtpEndpoint, after: SmtpEndpoint): string | null {
  const changes: string[] = [];
  if (before.host.trim().toLowerCase() !== after.host.trim().toLowerCase()) changes.push('host');
  if (before.port !== after.port) changes.push('port');
  if ((before.user ?? null) !== (after.user ?? null)) changes.push('user');
  return changes.length ? `${changes.join(', ')} changed` : null;
}

/** scheme://host:port of a URL (default ports left out), lower-case; null for no URL or an unparsable one. */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.origin === 'null' ? null : u.origin.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Why a secret kept for `before` would now go to another origin, or null. A secret stored while no
 * URL was set had no server yet: setting the first URL is not a change.
 */
export function originChange(before: string | null | undefined, after: string | null | undefined): string | null {
  if (!before) return null;
  const from = originOf(before);
  const to = originOf(after);
  if (to === null) return 'URL removed';
  return from === to ? null : `origin changed from ${from ?? 'an unparsable URL'} to ${to}`;
}

/** The answer's note about what an edit dropped (added to `{ok: true}` and the settings answer). */
export interface DroppedSecrets {
  secrets_dropped: string[];
  message: string;
}

/** The note for the fates of an edit's secrets, or null when nothing was dropped. */
export function droppedSecrets(fates: Record<string, SecretFate>): DroppedSecrets | null {
  const dropped = Object.entries(fates).filter((e): e is [string, Extract<SecretFate, { kind: 'dropped' }>] => e[1].kind === 'dropped');
  if (dropped.length === 0) return null;
  const names = dropped.map(([name]) => name);
  return {
    secrets_dropped: names,
    message: `stored ${names.join(' and ')} dropped (${dropped[0]![1].reason}): send it again in the same request to keep using it`,
  };
}
