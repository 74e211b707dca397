import { spawn, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../support/common/temp-dir.js';
import { PROJECT_ROOT } from '../support/common/paths.js';

/** Bare module specifiers a bundle imports or requires. */
function bareImports(code: string): Set<string> {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:^|\n)\s*import\s[^'"]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.') && !spec.startsWith('/')) found.add(spec);
  }
  return found;
}

/** A line the fake Electron (test/support/main/fake-electron.mjs) printed. */
interface FakeReport {
  what: string;
  ids?: string[];
  result?: { ok: boolean; data: { url: string; token: string } };
  [key: string]: unknown;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

describe('npm run build (electron-vite build)', () => {
  let buildDir: string;
  let outDir: string;

  beforeAll(() => {
    // inside the project (in the gitignored .vite/), so the bundle resolves node_modules like out/ does
    fs.mkdirSync(path.join(PROJECT_ROOT, '.vite'), { recursive: true });
    buildDir = fs.mkdtempSync(path.join(PROJECT_ROOT, '.vite', 'build-test-'));
    outDir = path.join(buildDir, 'out');
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', outDir], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 240_000);

  afterAll(() => {
    if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
  });

  it('produces the main, preload and renderer bundles', () => {
    const main = fs.readFileSync(path.join(outDir, 'main', 'index.js'), 'utf8');
    const preload = fs.readFileSync(path.join(outDir, 'preload', 'index.cjs'), 'utf8');
    const html = fs.readFileSync(path.join(outDir, 'renderer', 'index.html'), 'utf8');

    // main: ESM, starts the desktop app; every runtime import is a builtin, electron or a
    // production dependency (the packaged app has no devDependencies)
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkg.dependencies), 'electron']);
    const imports = bareImports(main);
    expect(imports.has('electron')).toBe(true);
    for (const spec of imports) {
      if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      expect(allowed.has(packageName(spec)), `main imports ${spec}, which is not a production dependency`).toBe(true);
    }
    expect(main).toContain('requestSingleInstanceLock');

    // preload: sandboxed, so CommonJS that requires nothing but electron
    expect([...bareImports(preload)]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
    expect(preload).not.toMatch(/^\s*import\s/m);

    // renderer: relative asset URLs, so it loads from app://renderer/ (and from the relay at /)
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const a of assets) {
      expect(a.startsWith('/'), `${a} is an absolute URL`).toBe(false);
      if (!/^[a-z]+:/.test(a)) expect(fs.existsSync(path.join(outDir, 'renderer', a)), `${a} missing`).toBe(true);
    }
  });

  it('the built main bundle runs: relay up, window on app://renderer, token over IPC, clean quit', { timeout: 60_000 }, async () => {
    const base = tempDir('gmr-bundle-');
    const child = spawn(
      process.execPath,
      ['--import', path.join(PROJECT_ROOT, 'test', 'support', 'main', 'electron-loader.mjs'), path.join(outDir, 'main', 'index.js'), '--port', '0', '--smtp-port', '0', '--data-dir', path.join(base, 'data'), '--api-token', 'bundle-token-0123456789'],
      { cwd: base, env: { ...process.env, FAKE_APP_PATH: PROJECT_ROOT, FAKE_APP_DATA: base, GMP_LOG_LEVEL: 'info', ELECTRON_RENDERER_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const fakes = () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('FAKE '))
        .map((l) => JSON.parse(l.slice(5)) as FakeReport);
    try {
      await vi.waitFor(
        () => {
          expect(child.exitCode, `the app exited\nstdout: ${stdout}\nstderr: ${stderr}`).toBeNull();
          expect(fakes().some((f) => f.what === 'ipc'), `no IPC answer\nstdout: ${stdout}\nstderr: ${stderr}`).toBe(true);
        },
        { timeout: 30_000, interval: 50 },
      );
      const seen = fakes();
      expect(seen.find((f) => f.what === 'schemes')).toMatchObject({ schemes: ['app'] });
      expect(seen.find((f) => f.what === 'window')).toMatchObject({
        url: 'app://renderer/index.html',
        preloadExists: true,
        webPreferences: { preload: 'index.cjs', contextIsolation: true, nodeIntegration: false, sandbox: true },
      });
      expect(seen.find((f) => f.what === 'page')).toMatchObject({ status: 200, hasRoot: true });
      expect(seen.find((f) => f.what === 'tray')).toMatchObject({ icon: 'tray-sandbox.png', iconExists: true });
      expect(seen.find((f) => f.what === 'menu')?.ids).toEqual(
        expect.arrayContaining(['mode-sandbox', 'mode-real', 'pause', 'count-pending', 'open', 'copy-smtp', 'copy-api', 'quit']),
      );
      const ipc = seen.find((f) => f.what === 'ipc')?.result;
      expect(ipc?.ok).toBe(true);
      expect(ipc?.data.token).toBe('bundle-token-0123456789');
      const res = await fetch(`${ipc!.data.url}/api/settings`, { headers: { 'X-API-Token': 'bundle-token-0123456789' } });
      expect(res.status).toBe(200);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('relay stopped');
      expect(fakes().at(-1)?.what).toBe('quit');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
