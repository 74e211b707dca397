import type { Connection } from './client.js';

/** What the Electron preload may expose; absent in a plain browser. */
export interface DesktopBridge {
  getConnection?: () => { url: string; token: string } | Promise<{ url: string; token: string } | null> | null;
  copyText?: (text: string) => Promise<void>;
  [key: string]: unknown;
}

declare global {
  interface Window {
    relayDesktop?: DesktopBridge;
  }
}

export const TOKEN_STORAGE_KEY = 'gmr.apiToken';

export interface ConnectionEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search' | 'origin' | 'protocol'>;
  history: Pick<History, 'replaceState'>;
  /** where an accepted token is kept: sessionStorage (this tab, until it closes) */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** where older versions kept the token for good (localStorage): only cleared */
  legacyStorage?: Pick<Storage, 'removeItem'> | null;
  desktop?: DesktopBridge;
}

/** Reads `token=` out of a fragment such as `#token=abc` or `#/queue&token=abc`. */
export function tokenFromHash(hash: string): string | null {
  const m = /(?:^#|[#&?/])token=([^&]+)/.exec(hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The fragment with the token removed (what stays in the address bar). */
export function hashWithoutToken(hash: string): string {
  const rest = hash
    .replace(/^#/, '')
    .split('&')
    .filter((part) => !/^\/?token=/.test(part))
    .join('&');
  return rest && rest !== '/' ? `#${rest}` : '';
}

/** The API is the page's own origin when the relay served the page; otherwise (file://, app://) the default port. */
function sameOriginBase(env: ConnectionEnv): string {
  return /^https?:$/.test(env.location.protocol) ? '' : 'http://127.0.0.1:8000';
}

export interface FoundConnection {
  connection: Connection;
  /** from a `#token=` link: not yet accepted by the relay, hence not remembered */
  fromLink: boolean;
}

/**
 * Finds the relay and its token: the `#token=` link (then strips it from the address bar), the Electron
 * preload, or a token remembered earlier. Returns null when the user has to type it. Remembers nothing.
 */
export async function resolveConnection(env: ConnectionEnv): Promise<FoundConnection | null> {
  const fromHash = tokenFromHash(env.location.hash);
  if (fromHash) {
    env.history.replaceState(null, '', env.location.pathname + env.location.search + hashWithoutToken(env.location.hash));
    const desktop = await desktopConnection(env.desktop);
    return { connection: { baseUrl: desktop?.baseUrl ?? sameOriginBase(env), token: fromHash }, fromLink: true };
  }
  const desktop = await desktopConnection(env.desktop);
  if (desktop?.token) return { connection: desktop, fromLink: false };
  const stored = env.storage?.getItem(TOKEN_STORAGE_KEY);
  if (stored) return { connection: { baseUrl: desktop?.baseUrl ?? sameOriginBase(env), token: stored }, fromLink: false };
  return null;
}

export type SessionStart = { state: 'ready'; connection: Connection } | { state: 'login'; baseUrl: string; notice: string | null };

export const LINK_REFUSED = 'The relay did not accept the token in the link (it may have changed). Enter the current one.';

/**
 * What the page opens with. A link's token is remembered only once `check` shows the relay accepts it; a
 * refused one leads to the form. When the relay cannot be reached the views say so, and nothing is kept.
 */
export async function startSession(env: ConnectionEnv, check: (c: Connection) => Promise<void>): Promise<SessionStart> {
  env.legacyStorage?.removeItem(TOKEN_STORAGE_KEY);
  const found = await resolveConnection(env);
  if (!found) return { state: 'login', baseUrl: await baseUrlFor(env), notice: null };
  const { connection } = found;
  if (!found.fromLink) return { state: 'ready', connection };
  try {
    await check(connection);
  } catch (err) {
    if ((err as { status?: unknown }).status === 401) return { state: 'login', baseUrl: connection.baseUrl, notice: LINK_REFUSED };
    return { state: 'ready', connection };
  }
  rememberToken(env, connection.token);
  return { state: 'ready', connection };
}

/** The base URL to use with a token typed into the login form. */
export async function baseUrlFor(env: ConnectionEnv): Promise<string> {
  const desktop = await desktopConnection(env.desktop);
  return desktop?.baseUrl ?? sameOriginBase(env);
}

async function desktopConnection(bridge: DesktopBridge | undefined): Promise<Connection | null> {
  if (!bridge?.getConnection) return null;
  try {
    const c = await bridge.getConnection();
    if (!c || typeof c.url !== 'string') return null;
    return { baseUrl: c.url.replace(/\/$/, ''), token: typeof c.token === 'string' ? c.token : '' };
  } catch {
    return null;
  }
}

export function rememberToken(env: ConnectionEnv, token: string): void {
  env.storage?.setItem(TOKEN_STORAGE_KEY, token);
}

export function forgetToken(env: ConnectionEnv): void {
  env.storage?.removeItem(TOKEN_STORAGE_KEY);
}

/** Web storage can be switched off (or throw on access): then the token lives in memory only. */
function storageOf(get: () => Storage): Storage | null {
  try {
    return get();
  } catch {
    return null;
  }
}

export function browserEnv(): ConnectionEnv {
  return {
    location: window.location,
    history: window.history,
    storage: storageOf(() => window.sessionStorage),
    legacyStorage: storageOf(() => window.localStorage),
    desktop: window.relayDesktop,
  };
}
