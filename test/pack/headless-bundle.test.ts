import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADLESS_EXTERNAL } from '../../electron.vite.config.js';
import { PROJECT_ROOT } from '../support/common/paths.js';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';
import { SmtpWire } from '../support/smtp/smtp-wire.js';

/**
 * SLOW (one build): out/main/cli-bundle.cjs carries its package dependencies (issue #15 item 2), so a start
 * reads one file, and out/main/cli.js runs it through a V8 code cache. Checks that only node built-ins and
 * the declared externals are required, that what the bundle loads later (the OpenAPI generator, selfsigned
 * on a first start, every metric family) still works, and that a second start uses the cache the first wrote.
 */

const TOKEN = 'bundle-test-token-0123456789';
const BARE_REQUIRE = /\brequire\(\s*"([@a-z][a-z0-9._/@-]*)"\s*\)/g;
/** required by a bundled package only inside a try: pg's optional native binding */
const NEVER_LOADED = ['pg-native'];

describe('the headless CLI bundle', () => {
  let stage: string;
  let cli: string;
  let bundle: string;
  let cacheHome: string;

  beforeAll(() => {
    // a folder of its own inside the project (node_modules resolves from there), out/ of the checkout untouched
    fs.mkdirSync(path.join(PROJECT_ROOT, '.vite'), { recursive: true });
    stage = fs.mkdtempSync(path.join(PROJECT_ROOT, '.vite', 'bundle-test-'));
    const build = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', path.join(stage, 'out')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    cli = path.join(stage, 'out', 'main', 'cli.js');
    bundle = path.join(stage, 'out', 'main', 'cli-bundle.cjs');
    cacheHome = tempDir('gmr-bundle-cache-');
  }, 600_000);

  afterAll(() => {
    if (stage) fs.rmSync(stage, { recursive: true, force: true });
  });

  it('requires node built-ins and the declared externals only', () => {
    const source = fs.readFileSync(bundle, 'utf8');
    const packages = new Set([...source.matchAll(BARE_REQUIRE)].map((m) => m[1]).filter((p) => !p.startsWith('node:')));
    const builtins = new Set(spawnSync(process.execPath, ['-p', "require('node:module').builtinModules.join(',')"], { encoding: 'utf8' }).stdout.trim().split(','));
    const allowed = (p: string) => builtins.has(p) || NEVER_LOADED.includes(p) || HEADLESS_EXTERNAL.some((e) => (e.endsWith('*') ? p.startsWith(e.slice(0, -1)) : p === e));
    expect([...packages].filter((p) => !allowed(p))).toEqual([]);
    // one file: nothing of its own to link (vite's own output imports ./chunks/relay-*.js)
    expect(source).not.toMatch(/\brequire\(\s*["']\.\.?\//);
    // a vm.Script has no module loader: no import() of a module (a bundled class's method `import(x)` is fine)
    expect(source).not.toMatch(/(?<![.\w$])import\s*\(\s*["'`]/);
    // the two lazily loaded externals stay loaded on first use
    expect(source).toMatch(/Promise\.resolve\(\)\.then\(\(\)\s*=>\s*__toESM\(require\("selfsigned"\)/);
    expect(source).toMatch(/Promise\.resolve\(\)\.then\(\(\)\s*=>\s*__toESM\(require\("@aws-sdk\/client-s3"\)/);
    // the launcher: node built-ins only
    const launcher = fs.readFileSync(cli, 'utf8');
    expect([...launcher.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]).filter((p) => !p.startsWith('node:'))).toEqual([]);
  });

  /** `serve` on dataDir; resolves with its URL once it listens, and a stop that expects a clean exit */
  async function serve(dataDir: string): Promise<{ url: string; smtpPort: number; stop: () => Promise<void> }> {
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GMP_'))), XDG_CACHE_HOME: cacheHome };
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', dataDir, '--api-token', TOKEN], { cwd: stage, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
        return /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      }, { what: 'serve to listen', timeoutMs: 60_000 });
      return {
        url,
        smtpPort: Number(/SMTP sink:\s+127\.0\.0\.1:(\d+)/.exec(out)?.[1]),
        stop: async () => {
          child.kill('SIGTERM');
          expect(await exited, out).toBe(0);
        },
      };
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  it('a first start makes the TLS certificate and the code cache, and /health, /openapi.json and /metrics answer; a restart runs from the cache', { timeout: 120_000 }, async () => {
    const dataDir = tempDir('gmr-bundle-');
    const first = await serve(dataDir);
    try {
      expect(fs.existsSync(path.join(dataDir, 'sink-tls', 'cert.pem'))).toBe(true);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
      const headers = { 'X-API-Token': TOKEN };
      const openapi = (await (await fetch(`${first.url}/openapi.json`, { headers })).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(openapi.openapi).toMatch(/^3\./);
      expect(Object.keys(openapi.paths).length).toBeGreaterThan(10);
      const metrics = await (await fetch(`${first.url}/metrics`, { headers })).text();
      for (const family of ['gmp_sent_total', 'gmp_pending_messages', 'gmp_sink_accepted_total', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
        expect(metrics, family).toContain(`# TYPE ${family} `);
      }
      const cacheDir = path.join(cacheHome, 'genro-mail-relay');
      await waitFor(() => fs.existsSync(cacheDir) && fs.readdirSync(cacheDir).some((f) => f.endsWith('.v8cache')), { what: 'the code cache', timeoutMs: 30_000 });
    } finally {
      await first.stop();
    }
    const again = await serve(dataDir);
    try {
      const health = await fetch(`${again.url}/health`);
      expect([health.status, health.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
      // koa's types and request checks through the bundle's mime-types front (src/cli/mime-front.ts)
      const headers = { 'X-API-Token': TOKEN };
      const page = await fetch(`${again.url}/api/messages`, { headers });
      expect(page.status).toBe(200);
      const post = (type: string, body: string) => fetch(`${again.url}/account`, { method: 'POST', headers: { ...headers, 'content-type': type }, body });
      const add = await post('application/json; charset=utf-8', JSON.stringify({ id: 'acc', host: '127.0.0.1', port: 2525 }));
      expect(add.status).toBe(200);
      const notJson = await post('text/plain', '{}');
      expect(notJson.status).toBeGreaterThanOrEqual(400);
      expect(notJson.status).toBeLessThan(500);
      expect(await notJson.json()).toHaveProperty('detail');
      const ui = await fetch(`${again.url}/`);
      expect([ui.status, ui.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      // entities and htmlparser2, loaded on first use (the bundle's lazy packages): an HTML capture's search text, a link check
      const { wire } = await SmtpWire.connect(again.smtpPort);
      for (const line of ['EHLO test', 'MAIL FROM:<a@example.com>', 'RCPT TO:<b@example.com>', 'DATA']) {
        wire.write(`${line}\r\n`);
        expect((await wire.read())?.code).toBeLessThan(400);
      }
      wire.write('Subject: lazy\r\nContent-Type: text/html\r\n\r\n<p>Tom &amp; Jerry <a href="http://127.0.0.1:9/x">x</a></p>\r\n.\r\n');
      expect((await wire.read())?.code).toBe(250);
      await wire.quit();
      const found = (await (await fetch(`${again.url}/api/captured?q=${encodeURIComponent('"tom & jerry"')}`, { headers })).json()) as { items: Array<{ id: string }> };
      expect(found.items).toHaveLength(1);
      const links = await fetch(`${again.url}/api/captured/${found.items[0].id}/link-check`, { method: 'POST', headers });
      expect(links.status).toBe(200);
      expect(JSON.stringify(await links.json())).toContain('http://127.0.0.1:9/x');
    } finally {
      await again.stop();
    }
  });
});
