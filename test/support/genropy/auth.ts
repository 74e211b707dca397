/**
 * AuthorizationBaseTagsVerifier (gnr/web/verifiers.py:62-84): HTTP Basic against the application's
 * users, then the handler's tag. A pure decision; the endpoint turns a refusal into Genropy's answer.
 */

export const MAILPROXY_TAG = '_MAILPROXY_';

/**
 * str() of the GnrBasicAuthenticationError a refusal raises: GnrException's caption with the
 * caller's file:line as description, so the verifier's own reason never reaches the body.
 */
export const AUTH_ERROR_TEXT = '!!Error code AUTH-901 : gnr/web/gnrwebpage.py:1317.';

export type AuthRefusal =
  | 'Missing Basic Authorization'
  | 'Wrong Authorization Mode'
  | 'Invalid Authorization Header'
  | 'Wrong Authorization Login'
  | 'User not allowed';

export type AuthDecision = { ok: true; user: string } | { ok: false; reason: AuthRefusal };

export interface AppUser {
  password: string;
  tags: string[];
}

/** adm.user with its tags; Register writes the `mailproxy` row with a new password each time. */
export class UserTable {
  private readonly users = new Map<string, AppUser>();

  set(user: string, password: string, tags: string[] = [MAILPROXY_TAG]): void {
    this.users.set(user, { password, tags });
  }

  get(user: string): AppUser | undefined {
    return this.users.get(user);
  }

  delete(user: string): void {
    this.users.delete(user);
  }
}

export function verifyBasic(authorization: string | undefined, users: UserTable, tag = MAILPROXY_TAG): AuthDecision {
  if (!authorization) return { ok: false, reason: 'Missing Basic Authorization' };
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space) !== 'Basic') return { ok: false, reason: 'Wrong Authorization Mode' };
  const credentials = pyB64decodeUtf8(authorization.slice(space + 1));
  const colon = credentials?.indexOf(':') ?? -1;
  if (credentials === null || colon < 0) return { ok: false, reason: 'Invalid Authorization Header' };
  const user = credentials.slice(0, colon);
  const record = users.get(user);
  if (!record || record.password !== credentials.slice(colon + 1)) return { ok: false, reason: 'Wrong Authorization Login' };
  if (!record.tags.includes(tag)) return { ok: false, reason: 'User not allowed' };
  return { ok: true, user };
}

/** base64.b64decode(s).decode(): characters outside the alphabet are dropped, padding must be right. */
function pyB64decodeUtf8(s: string): string | null {
  const cleaned = s.replace(/[^A-Za-z0-9+/=]/g, '');
  if (cleaned.length % 4 !== 0 || /=[^=]/.test(cleaned)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cleaned, 'base64'));
  } catch {
    return null;
  }
}
