#!/usr/bin/env node
// Builds the Electron-ABI copy of better-sqlite3 into build/native/electron/ (npm run native:electron).
//
// node_modules/better-sqlite3 keeps the Node build that the tests and the headless relay use; the
// desktop app (npm start / npm run dev) loads this copy through better-sqlite3's nativeBinding
// option, so switching between the two never needs a rebuild. Needs internet access: it downloads
// a prebuilt binary (prebuild-install), or Electron's headers to compile one (@electron/rebuild,
// which also needs a C++ toolchain and Python).
//
//   node scripts/native-electron.mjs              build (or rebuild) the copy
//   node scripts/native-electron.mjs --if-missing  only when there is none for this Electron
//   node scripts/native-electron.mjs --check       exit 0 when a matching copy exists, 1 otherwise
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
export const NATIVE_DIR = path.join(root, 'build', 'native', 'electron');
const BINARY = 'better_sqlite3.node';
const INFO = 'build-info.json';

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The Electron this project targets and the ABI (NODE_MODULE_VERSION) of its Node. */
export function electronTarget(platform = process.platform, arch = process.arch) {
  const electron = readJson(path.join(root, 'node_modules', 'electron', 'package.json')).version;
  let modules;
  try {
    modules = String(require('node-abi').getAbi(electron, 'electron'));
  } catch {
    modules = fs.readFileSync(path.join(root, 'node_modules', 'electron', 'abi_version'), 'utf8').trim();
  }
  return { electron, modules, platform, arch };
}

/** Whether build/native/electron holds a copy for this Electron, and why not. */
export function nativeCopyStatus(target = electronTarget()) {
  const binary = path.join(NATIVE_DIR, BINARY);
  if (!fs.existsSync(binary)) return { ok: false, reason: 'no Electron build of better-sqlite3 yet' };
  try {
    const info = readJson(path.join(NATIVE_DIR, INFO));
    for (const key of ['modules', 'platform', 'arch']) {
      if (String(info[key]) !== String(target[key]))
        return { ok: false, reason: `the Electron build of better-sqlite3 is for ${info.platform}-${info.arch} ABI ${info.modules}` };
    }
  } catch {
    return { ok: false, reason: `${INFO} is missing` };
  }
  return { ok: true, reason: null };
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env, shell: process.platform === 'win32' });
  return r.status === 0;
}

/** A throwaway app folder holding a pristine copy of better-sqlite3 (no Node build inside). */
function stage() {
  const staging = path.join(root, 'build', 'native', '.staging');
  fs.rmSync(staging, { recursive: true, force: true });
  const source = path.join(root, 'node_modules', 'better-sqlite3');
  const pkg = readJson(path.join(source, 'package.json'));
  const moduleDir = path.join(staging, 'node_modules', 'better-sqlite3');
  fs.mkdirSync(moduleDir, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'lib', 'src', 'deps']) {
    fs.cpSync(path.join(source, entry), path.join(moduleDir, entry), { recursive: true });
  }
  fs.writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify({ name: 'gmr-native-staging', private: true, dependencies: { 'better-sqlite3': pkg.version } }),
  );
  return { staging, moduleDir, version: pkg.version };
}

async function build(target) {
  const { staging, moduleDir, version } = stage();
  const built = path.join(moduleDir, 'build', 'Release', BINARY);
  let method = null;

  console.log(`better-sqlite3 ${version} for Electron ${target.electron} (${target.platform}-${target.arch}, ABI ${target.modules})`);
  console.log('trying a prebuilt binary (prebuild-install)...');
  const prebuildBin = require.resolve('prebuild-install/bin.js');
  if (
    run(process.execPath, [prebuildBin, '--runtime', 'electron', '--target', target.electron, '--arch', target.arch, '--platform', target.platform, '--verbose'], moduleDir) &&
    fs.existsSync(built)
  ) {
    method = 'prebuild-install';
  } else {
    console.log('no prebuilt binary; compiling against Electron headers (@electron/rebuild)...');
    try {
      const { rebuild } = await import('@electron/rebuild');
      await rebuild({ buildPath: staging, electronVersion: target.electron, arch: target.arch, onlyModules: ['better-sqlite3'], force: true });
      if (fs.existsSync(built)) method = '@electron/rebuild';
    } catch (err) {
      console.error(`@electron/rebuild failed: ${err instanceof Error ? err.message : err}`);
    }
  }
  if (!method) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error('could not get an Electron build of better-sqlite3 (internet access, or a C++ toolchain for @electron/rebuild, is needed)');
  }
  fs.mkdirSync(NATIVE_DIR, { recursive: true });
  fs.copyFileSync(built, path.join(NATIVE_DIR, BINARY));
  fs.writeFileSync(
    path.join(NATIVE_DIR, INFO),
    `${JSON.stringify({ ...target, betterSqlite3: version, method, builtAt: new Date().toISOString() }, null, 2)}\n`,
  );
  fs.rmSync(staging, { recursive: true, force: true });
  console.log(`wrote ${path.relative(root, path.join(NATIVE_DIR, BINARY))} (${method})`);
}

async function main(argv) {
  const target = electronTarget();
  const status = nativeCopyStatus(target);
  if (argv.includes('--check')) {
    console.log(status.ok ? `ok: ${path.join(NATIVE_DIR, BINARY)}` : status.reason);
    return status.ok ? 0 : 1;
  }
  if (argv.includes('--if-missing') && status.ok) return 0;
  await build(target);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
