import { describe, expect, it } from 'vitest';
import {
  TOKEN_STORAGE_KEY,
  hashWithoutToken,
  resolveConnection,
  tokenFromHash,
  type ConnectionEnv,
} from '../../../src/renderer/src/api/connection.js';

function env(hash: string, stored: string | null = null, desktop?: ConnectionEnv['desktop']) {
  const store = new Map<string, string>();
  if (stored) store.set(TOKEN_STORAGE_KEY, stored);
  const replaced: string[] = [];
  const e: ConnectionEnv = {
    location: { hash, pathname: '/', search: '', origin: 'http://127.0.0.1:8000', protocol: 'http:' },
    history: { replaceState: (_d: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
    storage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v),
      removeItem: (k) => void store.delete(k),
    },
    desktop,
  };
  return { e, store, replaced };
}

describe('token in the fragment', () => {
  it('reads and strips it', () => {
    expect(tokenFromHash('#token=abc%2Bdef')).toBe('abc+def');
    expect(tokenFromHash('#/captured/3&token=xyz')).toBe('xyz');
    expect(tokenFromHash('#/queue')).toBeNull();
    expect(hashWithoutToken('#token=abc')).toBe('');
    expect(hashWithoutToken('#/captured/3&token=xyz')).toBe('#/captured/3');
  });
});

describe('resolveConnection', () => {
  it('takes the link token, removes it from the address bar and remembers it', async () => {
    const { e, store, replaced } = env('#token=from-link', 'old');
    expect(await resolveConnection(e)).toEqual({ baseUrl: '', token: 'from-link' });
    expect(replaced).toEqual(['/']);
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('from-link');
  });

  it('uses the desktop bridge (sync or async) before a remembered token', async () => {
    const sync = env('', 'stored', { getConnection: () => ({ url: 'http://127.0.0.1:9000/', token: 'desk' }) });
    expect(await resolveConnection(sync.e)).toEqual({ baseUrl: 'http://127.0.0.1:9000', token: 'desk' });
    const asyncBridge = env('', null, { getConnection: async () => ({ url: 'http://127.0.0.1:9001', token: 'desk2' }) });
    expect(await resolveConnection(asyncBridge.e)).toEqual({ baseUrl: 'http://127.0.0.1:9001', token: 'desk2' });
  });

  it('survives a broken bridge and falls back to the remembered token, then to the form', async () => {
    const broken = env('', 'stored', {
      getConnection: () => {
        throw new Error('no ipc');
      },
    });
    expect(await resolveConnection(broken.e)).toEqual({ baseUrl: '', token: 'stored' });
    expect(await resolveConnection(env('').e)).toBeNull();
  });
});
