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
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
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

/**
 * Finds the relay and its token: the `#token=` link (then strips it from the address bar and remembers it),
 * the Electron preload, or a token remembered earlier. Returns null when the user has to type it.
 */
export async function resolveConnection(env: ConnectionEnv): Promise<Connection | null> {
  const fromHash = tokenFromHash(env.location.hash);
  if (fromHash) {
    env.history.replaceState(null, '', env.location.pathname + env.location.search + hashWithoutToken(env.location.hash));
    env.storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    const desktop = await desktopConnection(env.desktop);
    return { baseUrl: desktop?.baseUrl ?? sameOriginBase(env), token: fromHash };
  }
  const desktop = await desktopConnection(env.desktop);
  if (desktop?.token) return desktop;
  const stored = env.storage?.getItem(TOKEN_STORAGE_KEY);
  if (stored) return { baseUrl: desktop?.baseUrl ?? sameOriginBase(env), token: stored };
  return null;
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

export function browserEnv(): ConnectionEnv {
  let storage: ConnectionEnv['storage'] = null;
  try {
    storage = window.localStorage;
  } catch {
    storage = null;
  }
  return { location: window.location, history: window.history, storage, desktop: window.relayDesktop };
}
