import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADLESS_EXTERNAL } from '../../electron.vite.config.js';
import { PROJECT_ROOT } from '../support/common/paths.js';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';

/**
 * SLOW (one build): out/main/cli.js carries its package dependencies (issue #15 item 2), so a start links
 * one file. Checks that only node built-ins and the declared externals are imported, and that what the
 * bundle loads later (the OpenAPI generator, selfsigned on a first start, every metric family) still works.
 */

const TOKEN = 'bundle-test-token-0123456789';
const BARE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)["']([@a-z][a-z0-9._/@-]*)["']/g;

describe('the headless CLI bundle', () => {
  let stage: string;
  let cli: string;

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
  }, 600_000);

  afterAll(() => {
    if (stage) fs.rmSync(stage, { recursive: true, force: true });
  });

  it('imports node built-ins and the declared externals only', () => {
    const source = fs.readFileSync(cli, 'utf8');
    const packages = new Set([...source.matchAll(BARE_IMPORT)].map((m) => m[1]).filter((p) => !p.startsWith('node:')));
    const builtins = new Set(spawnSync(process.execPath, ['-p', "require('node:module').builtinModules.join(',')"], { encoding: 'utf8' }).stdout.trim().split(','));
    const allowed = (p: string) => builtins.has(p) || HEADLESS_EXTERNAL.some((e) => (e.endsWith('*') ? p.startsWith(e.slice(0, -1)) : p === e));
    expect([...packages].filter((p) => !allowed(p))).toEqual([]);
    // one file: no chunks of its own to link (vite's own output imports ./chunks/relay-*.js)
    expect(source).not.toMatch(/(?:\bfrom\s*|\bimport\s*\(\s*)["']\.\.?\//);
    // the two lazily loaded externals stay dynamic imports
    expect(source).toMatch(/import\(\s*["']selfsigned["']\s*\)/);
    expect(source).toMatch(/import\(\s*["']@aws-sdk\/client-s3["']\s*\)/);
  });

  it('a first start makes the TLS certificate, and /health, /openapi.json and /metrics answer', { timeout: 120_000 }, async () => {
    const dataDir = tempDir('gmr-bundle-');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GMP_')));
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
      expect(fs.existsSync(path.join(dataDir, 'sink-tls', 'cert.pem'))).toBe(true);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const headers = { 'X-API-Token': TOKEN };
      const openapi = (await (await fetch(`${url}/openapi.json`, { headers })).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(openapi.openapi).toMatch(/^3\./);
      expect(Object.keys(openapi.paths).length).toBeGreaterThan(10);
      const metrics = await (await fetch(`${url}/metrics`, { headers })).text();
      for (const family of ['gmp_sent_total', 'gmp_pending_messages', 'gmp_sink_accepted_total', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
        expect(metrics, family).toContain(`# TYPE ${family} `);
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
