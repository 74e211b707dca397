import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUiAsset, projectRoot, resolveUiDir } from '../../../../src/core/api/routes/ui.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { tempDir } from '../../../support/common/temp-dir.js';

/** Serving the built web UI at / (a fake build in a temp folder: this suite does not need Vite). */
describe('web UI static files', () => {
  let relay: TestRelay;
  let uiDir: string;

  beforeAll(async () => {
    uiDir = tempDir('gmr-ui-');
    fs.mkdirSync(path.join(uiDir, 'assets'));
    fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>ui</title><script type="module" src="./assets/index-abc123.js"></script>');
    fs.writeFileSync(path.join(uiDir, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(uiDir, 'assets', 'index-abc123.css'), 'body{}');
    fs.writeFileSync(path.join(uiDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(path.dirname(uiDir), 'outside-secret.txt'), 'secret');
    relay = await startTestRelay({}, { uiDir });
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('serves the page without a token, revalidated, with a strict policy', async () => {
    const res = await fetch(relay.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('<title>ui</title>');
    expect((await fetch(relay.url + '/index.html')).status).toBe(200);
  });

  it('serves hashed assets as immutable with the right types, and answers 304 to a revalidation', async () => {
    const js = await fetch(relay.url + '/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(relay.url + '/assets/index-abc123.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // plain http: fetch() turns a conditional request into an uncached one
    const status = await new Promise<number | undefined>((resolve, reject) =>
      http
        .get(relay.url + '/assets/index-abc123.js', { headers: { 'If-None-Match': js.headers.get('etag')! } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
        .on('error', reject),
    );
    expect(status).toBe(304);
    const icon = await fetch(relay.url + '/favicon.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    const head = await relay.api('/assets/index-abc123.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
  });

  it('answers 404 for missing or escaping asset paths', async () => {
    expect((await fetch(relay.url + '/assets/missing.js')).status).toBe(404);
    expect((await fetch(relay.url + '/assets/..%2F..%2Foutside-secret.txt')).status).not.toBe(200);
    expect((await fetch(relay.url + '/assets/../../outside-secret.txt')).status).not.toBe(200);
    expect((await fetch(relay.url + '/outside-secret.txt')).status).toBe(404);
  });

  it('keeps the API behind the token and never answers it with the page', async () => {
    expect((await fetch(relay.url + '/api/stats', { headers: { Accept: 'text/html' } })).status).toBe(401);
    expect((await fetch(relay.url + '/accounts', { headers: { Accept: 'text/html' } })).status).toBe(401);
    const apiMissing = await relay.api('/api/nothing-here', { headers: { Accept: 'text/html' } });
    expect(apiMissing.headers.get('content-type')).not.toContain('text/html');
    // an authenticated browser navigation to a client route gets the app
    const page = await relay.api('/queue', { headers: { Accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>ui</title>');
    expect((await relay.api('/queue', { headers: { Accept: 'application/json' } })).status).toBe(404);
  });

  it('only treats UI files as public paths', () => {
    for (const p of ['/', '/index.html', '/assets/index-abc.js', '/favicon.svg']) expect(isUiAsset(p)).toBe(true);
    for (const p of ['/api/stats', '/accounts', '/messages', '/status', '/metrics', '/openapi.json', '/assets/', '/assets/a/b.js', '/x/favicon.svg', '/commands/run-now']) {
      expect(isUiAsset(p)).toBe(false);
    }
  });

  it('finds out/renderer in the project when no folder is configured', () => {
    const root = projectRoot();
    expect(fs.existsSync(path.join(root, 'package.json'))).toBe(true);
    expect(resolveUiDir(null)).toBe(path.join(root, 'out', 'renderer'));
    expect(resolveUiDir('/some/where')).toBe('/some/where');
  });
});

describe('web UI not built', () => {
  it('says how to build it', async () => {
    const relay = await startTestRelay({}, { uiDir: tempDir('gmr-noui-') });
    try {
      const res = await fetch(relay.url + '/');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const body = await res.text();
      expect(body).toContain('npm run build');
      expect(body).not.toContain(relay.token);
      expect((await fetch(relay.url + '/assets/index.js')).status).toBe(404);
    } finally {
      await relay.stop();
    }
  });
});
