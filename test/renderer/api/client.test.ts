import { describe, expect, it, vi } from 'vitest';
import { ApiError, RelayApi, UNREACHABLE_MESSAGE, errorFromResponse } from '../../../src/renderer/src/api/client.js';
import { account, fakeFetch, summary } from '../../support/renderer/fake-relay.js';

describe('errorFromResponse', () => {
  it('reads the relay, classic and plain error shapes', async () => {
    const relay = await errorFromResponse(new Response(JSON.stringify({ error: { code: 'validation_error', message: 'port: too big' } }), { status: 422 }));
    expect(relay).toMatchObject({ status: 422, code: 'validation_error', message: 'port: too big' });
    const classic = await errorFromResponse(new Response(JSON.stringify({ detail: 'Invalid API token' }), { status: 401 }));
    expect(classic.message).toBe('Invalid API token');
    const pydantic = await errorFromResponse(new Response(JSON.stringify({ detail: [{ msg: 'field required' }, { msg: 'bad' }] }), { status: 422 }));
    expect(pydantic.message).toBe('field required; bad');
    const text = await errorFromResponse(new Response('Bad gateway', { status: 502, statusText: 'Bad Gateway' }));
    expect(text).toMatchObject({ status: 502, code: 'http_502', message: 'Bad gateway' });
  });
});

describe('RelayApi', () => {
  it('sends the token header and query parameters, and encodes ids', async () => {
    const { fetchImpl, calls } = fakeFetch({
      'GET /api/messages': () => ({ items: [], next_cursor: null }),
      'POST /api/messages/a%2Fb/retry': () => ({ ok: true }),
    });
    const api = new RelayApi({ baseUrl: 'http://h:1/', token: 'tok' }, () => {}, fetchImpl);
    await api.listMessages({ state: 'error', q: '', account_id: 'acc', limit: 50, cursor: null });
    await api.retryMessage('a/b');
    expect(calls[0].url.search).toBe('?state=error&account_id=acc&limit=50');
    expect((calls[0].init.headers as Record<string, string>)['X-API-Token']).toBe('tok');
    expect(calls[1].url.pathname).toBe('/api/messages/a%2Fb/retry');
  });

  it('opens the event stream with the token in a header, never in the URL', async () => {
    const { fetchImpl, calls } = fakeFetch({
      'GET /api/events': () => new Response('retry: 2000\n\n', { headers: { 'Content-Type': 'text/event-stream' } }),
    });
    const api = new RelayApi({ baseUrl: 'http://h:1/', token: 'tok' }, () => {}, fetchImpl);
    const source = api.eventSources()(api.url('/api/events'));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    source.close();
    expect(calls[0].url.href).toBe('http://h:1/api/events');
    expect(calls[0].init.headers).toMatchObject({ 'X-API-Token': 'tok', Accept: 'text/event-stream' });
  });

  it('calls onUnauthorized on a 401 and throws an ApiError', async () => {
    const onUnauthorized = vi.fn();
    const { fetchImpl } = fakeFetch({ 'GET /api/stats': () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'no' } }), { status: 401 }) });
    const api = new RelayApi({ baseUrl: '', token: 'bad' }, onUnauthorized, fetchImpl);
    await expect(api.stats()).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('falls back to the classic account list when /api/accounts is missing', async () => {
    const info = { id: 'x', host: 'h', port: 25, ttl: 300, limit_per_hour: 100, limit_behavior: 'defer', created_at: '2026-01-01 00:00:00' };
    const { fetchImpl } = fakeFetch({ 'GET /accounts': () => ({ ok: true, accounts: [info] }) });
    const api = new RelayApi({ baseUrl: '', token: 't' }, () => {}, fetchImpl);
    expect(await api.accounts()).toEqual([account('x', { host: 'h', port: 25, limit_per_hour: 100, updated_ts: 0 })]);
  });

  it('checks pages, stats and settings against the contract: an answer out of it is an error naming the field', async () => {
    const { fetchImpl } = fakeFetch({
      'GET /api/messages': () => ({ items: [summary('m1'), summary('m2', { state: 'lost' })], next_cursor: null }),
      'GET /api/captured': () => ({ items: [], next_cursor: null }),
      'GET /api/accounts': () => ({ items: [{ id: 'x' }], next_cursor: null }),
    });
    const api = new RelayApi({ baseUrl: '', token: 't' }, () => {}, fetchImpl);
    await expect(api.listMessages({ limit: 2 })).rejects.toMatchObject({
      code: 'invalid_answer',
      message: expect.stringMatching(/^unexpected answer from GET \/api\/messages: items\.1\.state: /),
    });
    await expect(api.listCaptured({})).rejects.toMatchObject({ code: 'invalid_answer', message: expect.stringContaining('total') });
    await expect(api.accounts()).rejects.toBeInstanceOf(ApiError);
  });
});

describe('a relay that does not answer (#20.7)', () => {
  it("says the relay is unreachable instead of fetch's 'Failed to fetch'", async () => {
    const api = new RelayApi({ baseUrl: '', token: 'tok' }, () => {}, async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await api.stats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'unreachable', message: UNREACHABLE_MESSAGE });
    expect(UNREACHABLE_MESSAGE).not.toContain('Failed to fetch');
  });
});

describe('tenant and bulk calls', () => {
  it('sends the message tenant, tenant_id= for the default tenant in lists, and captured ids 1000 at a time', async () => {
    const { fetchImpl, calls } = fakeFetch({
      'GET /api/messages': () => ({ items: [], next_cursor: null }),
      'DELETE /api/messages/m%201': () => ({ ok: true }),
      'DELETE /api/captured': (url) => ({ ok: true, removed: url.searchParams.get('ids')!.split(',').length }),
    });
    const api = new RelayApi({ baseUrl: '', token: 'tok' }, () => {}, fetchImpl);
    await api.listMessages({ tenant_id: '', state: 'error' });
    expect(calls[0].url.search).toBe('?state=error&tenant_id=');
    await api.listMessages({});
    expect(calls[1].url.searchParams.has('tenant_id')).toBe(false);
    await api.deleteMessage('m 1', 'acme');
    expect(calls[2].url.searchParams.get('tenant_id')).toBe('acme');
    expect(await api.deleteCapturedIds(Array.from({ length: 1500 }, (_, i) => i + 1))).toBe(1500);
    expect(calls.slice(3).map((c) => c.url.searchParams.get('ids')!.split(',').length)).toEqual([1000, 500]);
  });
});

