import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/common/paths.js';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';

/**
 * SLOW, NEEDS THE NPM REGISTRY: packs the headless relay as `npm pack` does, installs the tarball into an
 * empty folder (`npm install <tgz>`, from the npm cache when it can), and runs its `genro-mail-relay` bin.
 * better-sqlite3's native binding is copied from this checkout when the versions match (the same compile);
 * GMR_PACK_FROM_SOURCE=1 compiles it in the new folder instead (~90 s alone, minutes on a busy machine).
 */

const TOKEN = 'pack-test-token-0123456789';
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });

function version(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('npm pack: the headless relay as a package', () => {
  let stage: string;
  let tarball: string;
  let installDir: string;

  beforeAll(() => {
    // what prepack does (npm run build), into a folder of its own so out/ of the checkout is left alone
    fs.mkdirSync(path.join(PROJECT_ROOT, '.vite'), { recursive: true });
    stage = fs.mkdtempSync(path.join(PROJECT_ROOT, '.vite', 'pack-test-'));
    const build = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', path.join(stage, 'out')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    for (const f of ['package.json', 'README.md', 'bin', path.join('docs', 'systemd')]) fs.cpSync(path.join(PROJECT_ROOT, f), path.join(stage, f), { recursive: true });
    const packDir = tempDir('gmr-pack-');
    const name = npm(['pack', '--ignore-scripts', '--pack-destination', packDir], stage).trim().split('\n').at(-1)!;
    tarball = path.join(packDir, name);

    installDir = tempDir('gmr-pack-install-');
    fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'pack-install-test', private: true }));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], installDir);
    const installedSqlite = path.join(installDir, 'node_modules', 'better-sqlite3');
    const ours = path.join(PROJECT_ROOT, 'node_modules', 'better-sqlite3');
    const binding = path.join('build', 'Release', 'better_sqlite3.node');
    if (!process.env.GMR_PACK_FROM_SOURCE && version(installedSqlite) === version(ours) && fs.existsSync(path.join(ours, binding))) {
      fs.mkdirSync(path.dirname(path.join(installedSqlite, binding)), { recursive: true });
      fs.copyFileSync(path.join(ours, binding), path.join(installedSqlite, binding));
    } else npm(['rebuild', 'better-sqlite3'], installDir);
  }, 900_000);

  afterAll(() => {
    if (stage) fs.rmSync(stage, { recursive: true, force: true });
  });

  it('holds the built relay, its web UI and the systemd unit, and installs without development tools', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of ['package/bin/genro-mail-relay.mjs', 'package/out/main/cli.js', 'package/out/renderer/index.html', 'package/docs/systemd/genro-mail-relay.service']) expect(listing).toContain(f);
    expect(listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);
    const modules = fs.readdirSync(path.join(installDir, 'node_modules'));
    for (const dev of ['electron', 'typescript', 'tsx', 'vite', 'vitest', 'electron-vite', 'react']) expect(modules, dev).not.toContain(dev);
    expect(fs.existsSync(path.join(installDir, 'node_modules', '.bin', 'genro-mail-relay'))).toBe(true);
  });

  it('genro-mail-relay serve answers /health and the web UI, status reports it healthy, SIGTERM stops it', { timeout: 120_000 }, async () => {
    const bin = path.join(installDir, 'node_modules', '.bin', 'genro-mail-relay');
    const dataDir = path.join(installDir, 'data');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GMP_')));
    const child = spawn(bin, ['serve', '--port', '0', '--smtp-port', '0', '--data-dir', dataDir, '--api-token', TOKEN], { cwd: installDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
        return /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      }, { what: 'serve to listen', timeoutMs: 60_000 });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const ui = await fetch(`${url}/`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('<div id="root">');

      const status = spawnSync(bin, ['status', '--url', url, '--token', TOKEN, '--json'], { cwd: installDir, env, encoding: 'utf8' });
      expect(status.status, `${status.stdout}\n${status.stderr}`).toBe(0);
      expect(JSON.parse(status.stdout)).toBeTypeOf('object');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it.skipIf(spawnSync('systemd-analyze', ['--version']).status !== 0)('the systemd unit is valid once the bin is installed', () => {
    const unit = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'systemd', 'genro-mail-relay.service'), 'utf8');
    const bin = path.join(installDir, 'node_modules', '.bin', 'genro-mail-relay');
    expect(unit).toContain('ExecStart=/usr/local/bin/genro-mail-relay serve');
    const copy = path.join(tempDir('gmr-unit-'), 'genro-mail-relay.service');
    fs.writeFileSync(copy, unit.replace('/usr/local/bin/genro-mail-relay', bin));
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
