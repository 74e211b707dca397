import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { codeCacheDir, codeCacheFile, runCachedScript, saveCache } from '../../src/cli/code-cache.js';
import { tempDir } from '../support/common/temp-dir.js';

/** A CommonJS file that records what it saw, so a test can tell it ran and how. */
function writeScript(dir: string, body = ''): string {
  const file = path.join(dir, 'bundle.cjs');
  fs.writeFileSync(file, `#!/usr/bin/env node\n"use strict";\nglobalThis.__codeCacheRun = { filename: __filename, dirname: __dirname, url: require('node:url').pathToFileURL(__filename).href, strict: (function () { return this === undefined; })() };\n${body}\n`);
  return file;
}

declare global {
  var __codeCacheRun: { filename: string; dirname: string; url: string; strict: boolean } | undefined;
}

/** what the script last recorded (read through a call: TypeScript would narrow the global to its last assignment) */
const lastRun = () => globalThis.__codeCacheRun;

describe('runCachedScript', () => {
  it('runs the file as CommonJS (require, __filename, __dirname, strict as written), with no cache the first time', () => {
    const dir = tempDir();
    const file = writeScript(dir);
    globalThis.__codeCacheRun = undefined;
    expect(runCachedScript({ file, id: 'a1', cacheDir: path.join(dir, 'cache'), saveAfterMs: null })).toBe('none');
    expect(lastRun()).toEqual({ filename: file, dirname: dir, url: `file://${file}`, strict: true });
    // saveAfterMs null: nothing written
    expect(fs.existsSync(path.join(dir, 'cache'))).toBe(false);
  });

  it('writes the cache after the start, and V8 accepts it the next time', async () => {
    const dir = tempDir();
    const cacheDir = path.join(dir, 'cache');
    const file = writeScript(dir, 'function later() { return 42; } later();');
    expect(runCachedScript({ file, id: 'b2', cacheDir, saveAfterMs: 0 })).toBe('none');
    const cacheFile = codeCacheFile(cacheDir, 'b2');
    await expect.poll(() => fs.existsSync(cacheFile)).toBe(true);
    expect(fs.statSync(cacheFile).mode & 0o777).toBe(0o600);
    globalThis.__codeCacheRun = undefined;
    expect(runCachedScript({ file, id: 'b2', cacheDir, saveAfterMs: 0 })).toBe('accepted');
    expect(lastRun()?.filename).toBe(file);
  });

  it('a damaged cache is rejected: the file still runs, and the cache is written again', async () => {
    const dir = tempDir();
    const cacheDir = path.join(dir, 'cache');
    const file = writeScript(dir);
    const cacheFile = codeCacheFile(cacheDir, 'c3');
    fs.mkdirSync(cacheDir);
    fs.writeFileSync(cacheFile, Buffer.alloc(4096, 7));
    globalThis.__codeCacheRun = undefined;
    expect(runCachedScript({ file, id: 'c3', cacheDir, saveAfterMs: 0 })).toBe('rejected');
    expect(lastRun()?.filename).toBe(file);
    await expect.poll(() => fs.readFileSync(cacheFile).equals(Buffer.alloc(4096, 7))).toBe(false);
    expect(runCachedScript({ file, id: 'c3', cacheDir, saveAfterMs: null })).toBe('accepted');
  });

  it('another build of the bundle has another cache file (V8 would only compare the source length)', () => {
    const dir = tempDir();
    const cacheDir = path.join(dir, 'cache');
    expect(codeCacheFile(cacheDir, 'one')).not.toBe(codeCacheFile(cacheDir, 'two'));
    expect(codeCacheFile(cacheDir, 'one')).toContain(process.version);
  });

  it('an unwritable cache folder is not an error', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), '');
    const script = new vm.Script('1');
    // a file where the folder should be: mkdir fails
    expect(saveCache(script, path.join(dir, 'file', 'cli.v8cache'))).toBe(false);
  });

  it('saving removes the caches of older builds', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'cli-old-v20.0.0-x64.v8cache'), 'old');
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'not ours');
    expect(saveCache(new vm.Script('1'), codeCacheFile(dir, 'new'))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(codeCacheFile(dir, 'new')), 'keep.txt']);
  });
});

describe('codeCacheDir', () => {
  it('$XDG_CACHE_HOME when absolute, else ~/.cache; none without either', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe('/x/cache/genro-mail-relay');
    expect(codeCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/genro-mail-relay');
    expect(codeCacheDir({}, '/home/u')).toBe('/home/u/.cache/genro-mail-relay');
    expect(codeCacheDir({}, '')).toBeNull();
  });
});
