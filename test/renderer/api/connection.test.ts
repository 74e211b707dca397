import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/renderer/src/api/client.js';
import {
  LINK_REFUSED,
  TOKEN_STORAGE_KEY,
  browserEnv,
  hashWithoutToken,
  resolveConnection,
  startSession,
  tokenFromHash,
  type ConnectionEnv,
} from '../../../src/renderer/src/api/connection.js';

function env(hash: string, stored: string | null = null, desktop?: ConnectionEnv['desktop']) {
  const store = new Map<string, string>();
  if (stored) store.set(TOKEN_STORAGE_KEY, stored);
  const legacy = new Map<string, string>([[TOKEN_STORAGE_KEY, 'from-an-older-version']]);
  const replaced: string[] = [];
  const e: ConnectionEnv = {
    location: { hash, pathname: '/', search: '', origin: 'http://127.0.0.1:8000', protocol: 'http:' },
    history: { replaceState: (_d: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
    storage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v),
      removeItem: (k) => void store.delete(k),
    },
    legacyStorage: { removeItem: (k) => void legacy.delete(k) },
    desktop,
  };
  return { e, store, legacy, replaced };
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
  it('takes the link token and removes it from the address bar, but does not remember it yet', async () => {
    const { e, store, replaced } = env('#token=from-link', 'old');
    expect(await resolveConnection(e)).toEqual({ connection: { baseUrl: '', token: 'from-link' }, fromLink: true });
    expect(replaced).toEqual(['/']);
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('old');
  });

  it('uses the desktop bridge (sync or async) before a remembered token', async () => {
    const sync = env('', 'stored', { getConnection: () => ({ url: 'http://127.0.0.1:9000/', token: 'desk' }) });
    expect(await resolveConnection(sync.e)).toEqual({ connection: { baseUrl: 'http://127.0.0.1:9000', token: 'desk' }, fromLink: false });
    const asyncBridge = env('', null, { getConnection: async () => ({ url: 'http://127.0.0.1:9001', token: 'desk2' }) });
    expect(await resolveConnection(asyncBridge.e)).toEqual({ connection: { baseUrl: 'http://127.0.0.1:9001', token: 'desk2' }, fromLink: false });
  });

  it('survives a broken bridge and falls back to the remembered token, then to the form', async () => {
    const broken = env('', 'stored', {
      getConnection: () => {
        throw new Error('no ipc');
      },
    });
    expect(await resolveConnection(broken.e)).toEqual({ connection: { baseUrl: '', token: 'stored' }, fromLink: false });
    expect(await resolveConnection(env('').e)).toBeNull();
  });
});

describe('startSession', () => {
  it('remembers a link token only once the relay accepted it', async () => {
    const { e, store } = env('#token=from-link');
    let accept!: () => void;
    const check = vi.fn(() => new Promise<void>((resolve) => (accept = resolve)));
    const started = startSession(e, check);
    await vi.waitFor(() => expect(check).toHaveBeenCalledWith({ baseUrl: '', token: 'from-link' }));
    expect(store.has(TOKEN_STORAGE_KEY)).toBe(false);
    accept();
    expect(await started).toEqual({ state: 'ready', connection: { baseUrl: '', token: 'from-link' } });
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('from-link');
  });

  it('never keeps a link token the relay refuses, and asks for the right one', async () => {
    const { e, store, replaced } = env('#/captured&token=wrong', 'earlier');
    const refuse = async () => {
      throw new ApiError(401, 'unauthorized', 'Invalid or missing API token');
    };
    expect(await startSession(e, refuse)).toEqual({ state: 'login', baseUrl: '', notice: LINK_REFUSED });
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('earlier');
    expect(replaced).toEqual(['/#/captured']);
  });

  it('opens the relay without remembering when it cannot be reached to check the link', async () => {
    const { e, store } = env('#token=from-link');
    const down = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await startSession(e, down)).toEqual({ state: 'ready', connection: { baseUrl: '', token: 'from-link' } });
    expect(store.has(TOKEN_STORAGE_KEY)).toBe(false);
  });

  it('trusts the desktop bridge and a remembered token without asking, and shows the form otherwise', async () => {
    const check = vi.fn(async () => {});
    expect(await startSession(env('', 'stored').e, check)).toEqual({ state: 'ready', connection: { baseUrl: '', token: 'stored' } });
    const desk = env('', null, { getConnection: () => ({ url: 'http://127.0.0.1:9000', token: 'desk' }) });
    expect(await startSession(desk.e, check)).toEqual({ state: 'ready', connection: { baseUrl: 'http://127.0.0.1:9000', token: 'desk' } });
    expect(desk.store.size).toBe(0);
    expect(await startSession(env('').e, check)).toEqual({ state: 'login', baseUrl: '', notice: null });
    expect(check).not.toHaveBeenCalled();
  });

  it('drops the token older versions kept in localStorage', async () => {
    const { e, legacy } = env('');
    await startSession(e, async () => {});
    expect(legacy.size).toBe(0);
  });
});

describe('browserEnv', () => {
  it('keeps the token in sessionStorage (this tab only), never in localStorage', () => {
    const e = browserEnv();
    expect(e.storage).toBe(window.sessionStorage);
    expect(e.legacyStorage).toBe(window.localStorage);
  });
});
