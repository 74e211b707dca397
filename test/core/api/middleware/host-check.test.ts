import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { hostName, hostVerdict } from '../../../../src/core/api/middleware/host-check.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

const loopback = { listenHost: '127.0.0.1', allowedHosts: [] };

describe('hostVerdict (DNS rebinding guard)', () => {
  it('on a loopback address accepts the loopback names and the address itself, with or without port', () => {
    for (const h of ['127.0.0.1:8000', '127.0.0.1', 'localhost:8000', 'LOCALHOST', '[::1]:8000', '[::1]']) {
      expect(hostVerdict(h, loopback), h).toEqual({ ok: true });
    }
    expect(hostVerdict('127.0.0.2:8000', { listenHost: '127.0.0.2', allowedHosts: [] })).toEqual({ ok: true });
    expect(hostVerdict('[::1]:9', { listenHost: '::1', allowedHosts: [] })).toEqual({ ok: true });
  });

  it('on a loopback address refuses any other name: the rebinding attack', () => {
    expect(hostVerdict('evil.example:8000', loopback)).toEqual({ ok: false, host: 'evil.example' });
    expect(hostVerdict('127.0.0.2:8000', loopback)).toEqual({ ok: false, host: '127.0.0.2' });
    expect(hostVerdict(undefined, loopback)).toEqual({ ok: false, host: '' });
    expect(hostVerdict('relay.lan', { ...loopback, allowedHosts: ['relay.lan'] })).toEqual({ ok: true });
  });

  it('on another address checks only once allowed_hosts is set', () => {
    expect(hostVerdict('anything.example', { listenHost: '0.0.0.0', allowedHosts: [] })).toEqual({ ok: true });
    const listed = { listenHost: '0.0.0.0', allowedHosts: ['relay.lan'] };
    expect(hostVerdict('relay.lan:8000', listed)).toEqual({ ok: true });
    expect(hostVerdict('localhost:8000', listed)).toEqual({ ok: true });
    expect(hostVerdict('other.lan', listed)).toEqual({ ok: false, host: 'other.lan' });
  });

  it('reads host names out of Host headers', () => {
    expect(hostName('Example.COM:80')).toBe('example.com');
    expect(hostName('[::1]:8000')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('example.com.')).toBe('example.com');
    expect(hostName(undefined)).toBe('');
  });
});

/** A GET with any Host header (fetch will not set one). */
function getWithHost(url: string, pathname: string, host: string, token?: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: pathname, headers: { Host: host, ...(token ? { 'X-API-Token': token } : {}) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the relay behind the Host check', () => {
  let t: TestRelay | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('answers 421 naming the setting to a foreign Host, on the API, the classic routes and the UI alike', async () => {
    t = await startTestRelay();
    const port = new URL(t.url).port;
    const api = await getWithHost(t.url, '/api/settings', `evil.example:${port}`, t.token);
    expect(api.status).toBe(421);
    expect(JSON.parse(api.body).error.message).toMatch(/evil\.example.*\[server\] allowed_hosts \(GMP_ALLOWED_HOSTS\)/);
    const classic = await getWithHost(t.url, '/status', `evil.example:${port}`, t.token);
    expect(classic.status).toBe(421);
    expect(JSON.parse(classic.body).detail).toMatch(/allowed_hosts/);
    expect((await getWithHost(t.url, '/', `evil.example:${port}`)).status).toBe(421);
    expect((await getWithHost(t.url, '/health', `evil.example:${port}`)).status).toBe(421);

    expect((await getWithHost(t.url, '/api/settings', `localhost:${port}`, t.token)).status).toBe(200);
    expect((await getWithHost(t.url, '/api/settings', `127.0.0.1:${port}`, t.token)).status).toBe(200);
  });

  it('serves a name listed in allowed_hosts', async () => {
    t = await startTestRelay({ allowedHosts: ['relay.lan'] });
    const port = new URL(t.url).port;
    expect((await getWithHost(t.url, '/api/settings', `relay.lan:${port}`, t.token)).status).toBe(200);
    expect((await getWithHost(t.url, '/api/settings', `relay2.lan:${port}`, t.token)).status).toBe(421);
  });
});
