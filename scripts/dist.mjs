#!/usr/bin/env node
// Builds the installers: electron-vite build, then electron-builder with the given arguments
// (npm run dist -- --linux | --win | --mac). Needs internet access.
//
// electron-builder rebuilds node_modules/better-sqlite3 in place for Electron while packaging;
// the Node build is put back afterwards, so the tests and the headless relay keep working.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeBinary = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const backup = path.join(root, 'build', 'native', 'node', 'better_sqlite3.node');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

let code = 0;
const hadNodeBuild = fs.existsSync(nodeBinary);
try {
  run(bin('electron-vite'), ['build']);
  if (hadNodeBuild) {
    fs.mkdirSync(path.dirname(backup), { recursive: true });
    fs.copyFileSync(nodeBinary, backup);
  }
  run(bin('electron-builder'), process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  code = 1;
} finally {
  if (hadNodeBuild && fs.existsSync(backup)) {
    fs.mkdirSync(path.dirname(nodeBinary), { recursive: true });
    fs.copyFileSync(backup, nodeBinary);
    console.log('restored the Node build of better-sqlite3 in node_modules');
  }
}
process.exit(code);
