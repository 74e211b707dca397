import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Runs the headless bundle (one CommonJS file) through a V8 code cache: compiling its 2.6 MB and the
 * functions a start calls cost ~100 ms of a ~300 ms start (Node 20 has no module.enableCompileCache).
 */
export interface CachedScript {
  /** the CommonJS file to run */
  file: string;
  /** content hash of that file, fixed at build time: V8 itself only compares a cache's source length */
  id: string;
  /** folder of the cache; null: none */
  cacheDir: string | null;
  /** write the cache this long after the start when V8 had none to accept; null: never */
  saveAfterMs: number | null;
}

/** What became of the cache: none found, accepted by V8, or rejected (other V8 version or flags, damaged). */
export type CacheState = 'none' | 'accepted' | 'rejected';

const CACHE_SUFFIX = '.v8cache';

/** $XDG_CACHE_HOME or ~/.cache, then genro-mail-relay; null without either (no cache then). */
export function codeCacheDir(env: NodeJS.ProcessEnv, home: string): string | null {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : home ? path.join(home, '.cache') : null;
  return base ? path.join(base, 'genro-mail-relay') : null;
}

/** One cache file per bundle, Node version and architecture. */
export function codeCacheFile(dir: string, id: string): string {
  return path.join(dir, `cli-${id}-${process.version}-${process.arch}${CACHE_SUFFIX}`);
}

/** Compiles `file` with its cache when there is one, runs it as CommonJS, and returns what became of the cache. */
export function runCachedScript(s: CachedScript): CacheState {
  // the hashbang becomes a comment: the wrapper below shares its line, so line numbers stay those of the file
  const source = fs.readFileSync(s.file, 'utf8').replace(/^#!/, '//');
  const cacheFile = s.cacheDir ? codeCacheFile(s.cacheDir, s.id) : null;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: s.file, cachedData });
  const state: CacheState = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  // saved after the start ran: the cache then holds the functions it compiled too, not only the top level
  if (cacheFile && state !== 'accepted' && s.saveAfterMs !== null) setTimeout(() => saveCache(script, cacheFile), s.saveAfterMs).unref();
  const module = { exports: {} };
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  run(module.exports, createRequire(s.file), module, s.file, path.dirname(s.file));
  return state;
}

/** Best effort: written under another name and renamed (two relays starting at once); older caches removed. */
export function saveCache(script: vm.Script, cacheFile: string): boolean {
  const dir = path.dirname(cacheFile);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith(CACHE_SUFFIX) && path.join(dir, name) !== cacheFile) fs.rmSync(path.join(dir, name), { force: true });
    }
    return true;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the folder itself is the problem: nothing was written
    }
    return false;
  }
}

/** The cache folder of this user (os.homedir() can throw without a passwd entry). */
export function userCodeCacheDir(): string | null {
  let home = '';
  try {
    home = os.homedir();
  } catch {
    // no home: no cache
  }
  return codeCacheDir(process.env, home);
}
