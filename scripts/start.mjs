#!/usr/bin/env node
// npm start: the desktop app when an Electron runtime and a display are available, otherwise the
// same relay headless (`serve`, same arguments and GMP_* environment), saying why in one line; also
// when Electron starts and then exits early on its own. `--headless` (npm run serve) skips the desktop.
//
//   npm start -- --port 0 --smtp-port 0 --data-dir /tmp/relay
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterDesktopExit } from './desktop-exit.mjs';
import { nativeCopyStatus } from './native-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const headlessAsked = process.argv.includes('--headless');
const argv = process.argv.slice(2).filter((a) => a !== '--headless');
const electronDir = path.join(root, 'node_modules', 'electron');
const INSTALL_TIMEOUT_MS = Number(process.env.GMR_ELECTRON_INSTALL_TIMEOUT_MS) || 60_000;

/** The Electron executable if it has been downloaded; never triggers a download. */
function electronExecutable() {
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    const exe = path.join(electronDir, 'dist', rel);
    return rel && fs.existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

/** One attempt at Electron's own download (its binary is fetched lazily since Electron 45). */
function tryInstallElectron() {
  const installer = path.join(electronDir, 'install.js');
  if (!fs.existsSync(installer)) return 'the electron package is not installed';
  const r = spawnSync(process.execPath, [installer], { cwd: electronDir, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  if (r.error?.code === 'ETIMEDOUT') return `download timed out after ${Math.round(INSTALL_TIMEOUT_MS / 1000)}s`;
  if (r.status === 0) return null;
  const lines = `${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const cause = lines.find((l) => /^(Error|RequestError|HTTPError)\b|ENOTFOUND|ECONN|EAI_AGAIN/.test(l)) ?? lines[0];
  return `download failed${cause ? `: ${cause}` : ''}`;
}

function displayProblem() {
  if (process.platform !== 'linux' && process.platform !== 'freebsd' && process.platform !== 'openbsd') return null;
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? null : 'no display (DISPLAY and WAYLAND_DISPLAY are unset)';
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The built app is missing or older than the sources. */
function needsBuild() {
  const outputs = ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((p) => path.join(root, p));
  if (outputs.some((p) => !fs.existsSync(p))) return true;
  const built = Math.min(...outputs.map((p) => fs.statSync(p).mtimeMs));
  return newestMtime(path.join(root, 'src')) > built;
}

/** Passes stop signals on to the child; `onExit` hears how it ended and whether a stop was asked for. */
function forwardSignals(child, onExit = (code, signal) => process.exit(code ?? (signal ? 1 : 0))) {
  let stopRequested = false;
  const handlers = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((signal) => {
    const handler = () => {
      stopRequested = true;
      // Ctrl+C in a terminal already reaches the whole process group; a second SIGINT would cut
      // the child's graceful shutdown short
      if (signal === 'SIGINT' && process.stdin.isTTY) return;
      child.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler];
  });
  child.on('exit', (code, signal) => {
    for (const [s, h] of handlers) process.off(s, h);
    onExit(code, signal, stopRequested);
  });
}

function build(stdio) {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio });
  return r.status === 0;
}

function startHeadless(reason) {
  if (reason) console.error(`${reason}; starting the headless relay instead`);
  // the web UI and the CLI come from the build; fall back to the sources when it cannot be made
  const built = !needsBuild() || build(['ignore', 'ignore', 'inherit']);
  const entry = built ? [path.join(root, 'out', 'main', 'cli.js')] : [require.resolve('tsx/cli'), path.join(root, 'src', 'cli', 'index.ts')];
  const child = spawn(process.execPath, [...entry, 'serve', ...argv], { stdio: 'inherit', env: process.env });
  forwardSignals(child);
}

function startDesktop(exe) {
  const started = Date.now();
  const child = spawn(exe, [root, ...argv], { stdio: 'inherit', env: process.env });
  forwardSignals(child, (code, signal, stopRequested) => {
    const next = afterDesktopExit({ code, signal, elapsedMs: Date.now() - started, stopRequested });
    if (next.action === 'headless') startHeadless(next.reason);
    else process.exit(next.code);
  });
}

function main() {
  if (headlessAsked) return startHeadless(null);
  const noDisplay = displayProblem();
  if (noDisplay) return startHeadless(noDisplay);

  let exe = electronExecutable();
  if (!exe) {
    const failure = tryInstallElectron();
    exe = electronExecutable();
    if (!exe) return startHeadless(`Electron runtime not available (${failure ?? 'binary missing after install'})`);
  }

  const native = nativeCopyStatus();
  if (!native.ok) {
    console.log(`${native.reason}: running npm run native:electron`);
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'native-electron.mjs')], { stdio: 'inherit' });
    if (r.status !== 0) return startHeadless('better-sqlite3 for Electron not available (npm run native:electron failed)');
  }

  if (needsBuild()) {
    if (!build('inherit')) {
      console.error('npm run build failed; fix the build or run the headless relay with npm run serve');
      process.exit(1);
    }
  }
  startDesktop(exe);
}

main();
