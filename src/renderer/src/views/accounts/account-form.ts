import type { AccountView, AccountInput, LimitBehavior } from '../../api/types.js';

/** How the connection is secured: genro-mail-proxy's `use_tls` null / true / false. */
export type TlsMode = 'auto' | 'tls' | 'starttls';

export interface AccountForm {
  id: string;
  host: string;
  port: string;
  tls: TlsMode;
  user: string;
  password: string;
  limit_per_minute: string;
  limit_per_hour: string;
  limit_per_day: string;
  limit_behavior: LimitBehavior;
  batch_size: string;
  fallbacks: string;
  weight: string;
}

export type AccountFormErrors = Partial<Record<keyof AccountForm, string>>;

export const EMPTY_FORM: AccountForm = {
  id: '',
  host: '',
  port: '587',
  tls: 'auto',
  user: '',
  password: '',
  limit_per_minute: '',
  limit_per_hour: '',
  limit_per_day: '',
  limit_behavior: 'defer',
  batch_size: '',
  fallbacks: '',
  weight: '',
};

export const TLS_LABELS: Record<TlsMode, string> = {
  auto: 'Automatic: implicit TLS on port 465, STARTTLS otherwise',
  tls: 'Implicit TLS (SMTPS) on any port',
  starttls: 'STARTTLS when offered / plain',
};

const blank = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

export function formFromAccount(a: AccountView): AccountForm {
  return {
    id: a.id,
    host: a.host,
    port: String(a.port),
    tls: a.use_tls === true ? 'tls' : a.use_tls === false ? 'starttls' : 'auto',
    user: a.user ?? '',
    password: '',
    limit_per_minute: blank(a.limit_per_minute),
    limit_per_hour: blank(a.limit_per_hour),
    limit_per_day: blank(a.limit_per_day),
    limit_behavior: a.limit_behavior === 'error' ? 'error' : 'defer',
    batch_size: blank(a.batch_size),
    fallbacks: (a.fallbacks ?? []).join(', '),
    weight: blank(a.weight),
  };
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/;
/** a host name, an IPv4 address or a bracket-less IPv6 address */
const HOST = /^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$|^[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*$/;

export function parseFallbacks(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

function optionalInt(value: string, field: keyof AccountForm, errors: AccountFormErrors, what: string): void {
  const v = value.trim();
  if (v === '') return;
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) errors[field] = `${what} must be a whole number of at least 1 (or empty)`;
}

/**
 * Whether saving without typing the password keeps the saved one: the relay keeps it while host, port
 * and user stay the same (src/core/services/secret-scope.ts, whose comparison this mirrors).
 */
export function keepsSavedPassword(f: AccountForm, original: AccountView | null | undefined): boolean {
  if (!original?.password_set || f.password) return false;
  const sameHost = f.host.trim().toLowerCase() === original.host.trim().toLowerCase();
  const samePort = Number(f.port.trim()) === original.port;
  const sameUser = (f.user.trim() || null) === (original.user ?? null);
  return sameHost && samePort && sameUser;
}

/** Checks the form before it is sent; the relay validates again and its message is shown if it disagrees. */
export function validateAccountForm(f: AccountForm, ctx: { editing: boolean; existingIds: string[]; original?: AccountView | null }): AccountFormErrors {
  const errors: AccountFormErrors = {};
  const id = f.id.trim();
  if (!id) errors.id = 'Give the account an id (your application refers to it as account_id)';
  else if (!ID.test(id)) errors.id = 'Use letters, digits, dot, dash, underscore or @ (no spaces)';
  else if (!ctx.editing && ctx.existingIds.includes(id)) errors.id = `An account '${id}' already exists`;

  const host = f.host.trim();
  if (!host) errors.host = 'The SMTP server host is required';
  else if (!HOST.test(host)) errors.host = 'Not a valid host name or IP address';

  const port = f.port.trim();
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) errors.port = 'Port must be between 1 and 65535';

  if (/[\r\n]/.test(f.user)) errors.user = 'The user must be a single line';
  if (f.user.trim() && !f.password && !keepsSavedPassword(f, ctx.original)) {
    errors.password = ctx.original?.password_set
      ? 'The host, port or user changed: type the password again (the saved one is not sent to another server)'
      : 'A password is needed when a user is set';
  }
  if (f.password && !f.user.trim()) errors.user = 'A user is needed when a password is set';

  optionalInt(f.limit_per_minute, 'limit_per_minute', errors, 'Per-minute limit');
  optionalInt(f.limit_per_hour, 'limit_per_hour', errors, 'Per-hour limit');
  optionalInt(f.limit_per_day, 'limit_per_day', errors, 'Per-day limit');
  optionalInt(f.batch_size, 'batch_size', errors, 'Batch size');
  optionalInt(f.weight, 'weight', errors, 'Weight');

  const perMin = Number(f.limit_per_minute) || 0;
  const perHour = Number(f.limit_per_hour) || 0;
  const perDay = Number(f.limit_per_day) || 0;
  if (!errors.limit_per_hour && perMin && perHour && perHour < perMin) errors.limit_per_hour = 'The hourly limit is below the per-minute limit';
  if (!errors.limit_per_day && perHour && perDay && perDay < perHour) errors.limit_per_day = 'The daily limit is below the hourly limit';

  const fallbacks = parseFallbacks(f.fallbacks);
  if (fallbacks.includes(id)) errors.fallbacks = 'An account cannot fall back to itself';
  else {
    const unknown = fallbacks.filter((x) => !ctx.existingIds.includes(x));
    if (unknown.length) errors.fallbacks = `Unknown account${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
    else if (new Set(fallbacks).size !== fallbacks.length) errors.fallbacks = 'An account is listed twice';
  }
  return errors;
}

const intOrNull = (s: string) => (s.trim() === '' ? null : Number(s.trim()));

/**
 * The POST /account body; fields the form does not show keep the values of `original`. An edit with
 * the password left empty omits it, so the relay keeps the saved one (same server) or drops it.
 */
export function accountInputFromForm(f: AccountForm, original?: AccountView | null): AccountInput {
  const fallbacks = parseFallbacks(f.fallbacks);
  return {
    id: f.id.trim(),
    host: f.host.trim(),
    port: Number(f.port.trim()),
    user: f.user.trim() || null,
    password: f.password ? f.password : original ? undefined : null,
    use_tls: f.tls === 'tls' ? true : f.tls === 'starttls' ? false : null,
    limit_per_minute: intOrNull(f.limit_per_minute),
    limit_per_hour: intOrNull(f.limit_per_hour),
    limit_per_day: intOrNull(f.limit_per_day),
    limit_behavior: f.limit_behavior,
    batch_size: intOrNull(f.batch_size),
    fallbacks: fallbacks.length ? fallbacks : null,
    weight: intOrNull(f.weight),
    ttl: original?.ttl ?? null,
    timeout: original?.timeout ?? null,
    max_connections: original?.max_connections ?? null,
  };
}

/** Port presets: picking one also picks the TLS mode that goes with it. */
export const PORT_PRESETS: { port: string; tls: TlsMode; label: string }[] = [
  { port: '587', tls: 'starttls', label: '587 submission (STARTTLS)' },
  { port: '465', tls: 'tls', label: '465 SMTPS (implicit TLS)' },
  { port: '25', tls: 'starttls', label: '25 SMTP' },
];
