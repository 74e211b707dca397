import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/renderer/src/App.js';
import { useComponentDom } from '../support/renderer/render-with-relay.js';

useComponentDom();

describe('App', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    sessionStorage.clear();
    localStorage.clear();
  });

  it('opened with a link whose token the relay refuses: asks for the token and never stores the refused one', async () => {
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Invalid or missing API token' } }), { status: 401 }));
    vi.stubGlobal('fetch', fetchImpl);
    localStorage.setItem('gmr.apiToken', 'kept-by-an-older-version');
    window.location.hash = '#/captured&token=refused-token';

    render(<App />);
    expect(await screen.findByText(/The relay did not accept the token in the link/)).toBeTruthy();
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(window.location.hash).toBe('#/captured');
    expect(setItem.mock.calls.filter(([, value]) => value === 'refused-token')).toEqual([]);
    expect(sessionStorage.getItem('gmr.apiToken')).toBeNull();
    expect(localStorage.getItem('gmr.apiToken')).toBeNull();
    const [[url, init]] = fetchImpl.mock.calls as unknown as [string, RequestInit][];
    expect(url).toBe('/api/settings');
    expect(init.headers).toMatchObject({ 'X-API-Token': 'refused-token' });
  });
});
