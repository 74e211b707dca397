import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Md5Cache, cacheScope, md5Hex } from '../../../../src/core/delivery/attachments/md5-cache.js';
import { tempDir } from '../../../support/common/temp-dir.js';

const DAY_MS = 86400_000;

function cacheAt(over: { maxBytes?: number; maxAgeSeconds?: number; now?: { ms: number } } = {}) {
  const dir = path.join(tempDir('gmr-att-cache-'), 'attachment-cache');
  const now = over.now ?? { ms: Date.now() };
  const cache = new Md5Cache({ dir, maxBytes: over.maxBytes ?? 1024 * 1024, maxAgeSeconds: over.maxAgeSeconds ?? 7 * 86400, nowMs: () => now.ms });
  return { dir, cache, now };
}

const SCOPE = cacheScope('acme');
const file = (s: string) => {
  const bytes = Buffer.from(s);
  const md5 = md5Hex(bytes);
  return { bytes, md5, name: `${SCOPE}-${md5}` };
};

describe('Md5Cache: endpoint attachments by MD5 in the data folder', () => {
  it('keeps a file under its MD5, private, written through a temp file', async () => {
    const { dir, cache } = cacheAt();
    const a = file('offer pdf bytes');
    expect(await cache.get(a.md5, SCOPE)).toBeNull();
    await cache.put(a.md5, a.bytes, SCOPE);
    expect((await cache.get(a.md5, SCOPE))?.equals(a.bytes)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([a.name]);
    expect(fs.statSync(path.join(dir, a.name)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    await cache.close();
  });

  it('checks a file against its name when reading: a changed file is dropped, never used', async () => {
    const { dir, cache } = cacheAt();
    const a = file('original');
    await cache.put(a.md5, a.bytes, SCOPE);
    fs.writeFileSync(path.join(dir, a.name), 'tampered');
    expect(await cache.get(a.md5, SCOPE)).toBeNull();
    expect(fs.existsSync(path.join(dir, a.name))).toBe(false);
    await expect(cache.get('../../etc/passwd', SCOPE)).rejects.toThrow('not an MD5');
    await cache.close();
  });

  it('prunes files unused for longer than the age limit (a read counts as a use), and stale temp files', async () => {
    const now = { ms: Date.now() };
    const { dir, cache } = cacheAt({ maxAgeSeconds: 86400, now });
    const [old, used, fresh] = [file('old'), file('used'), file('fresh')];
    await cache.put(old.md5, old.bytes, SCOPE);
    await cache.put(used.md5, used.bytes, SCOPE);
    fs.writeFileSync(path.join(dir, `.tmp-${old.md5}-abandoned`), 'x');
    now.ms += DAY_MS / 2;
    expect(await cache.prune()).toMatchObject({ removed: 1, kept: 2 }); // the temp file, an hour old
    await cache.get(used.md5, SCOPE);
    await cache.put(fresh.md5, fresh.bytes, SCOPE);
    await cache.prune(); // the pass each write starts, before time moves
    now.ms += DAY_MS * 0.75;
    expect(await cache.prune()).toMatchObject({ removed: 1, kept: 2, bytes: used.bytes.length + fresh.bytes.length });
    expect(fs.readdirSync(dir).sort()).toEqual([fresh.name, used.name].sort());
    await cache.close();
  });

  it('prunes the least recently used files down to the size limit after a write; a file larger than the limit is not kept', async () => {
    const now = { ms: Date.now() };
    const { dir, cache } = cacheAt({ maxBytes: 250, now });
    const [f0, f1, f2] = [0, 1, 2].map((i) => file(String(i).repeat(100)));
    await cache.put(f0.md5, f0.bytes, SCOPE);
    now.ms += 1000;
    await cache.put(f1.md5, f1.bytes, SCOPE);
    now.ms += 1000;
    await cache.get(f0.md5, SCOPE);
    now.ms += 1000;
    await cache.put(f2.md5, f2.bytes, SCOPE);
    expect(await cache.prune()).toMatchObject({ kept: 2, bytes: 200 });
    expect(fs.readdirSync(dir).sort()).toEqual([f0.name, f2.name].sort());
    const big = file('x'.repeat(300));
    await cache.put(big.md5, big.bytes, SCOPE);
    expect(await cache.get(big.md5, SCOPE)).toBeNull();
    await cache.close();
  });
});

describe('Md5Cache: one scope per application', () => {
  it('never hands a file cached for one tenant to another that names the same MD5', async () => {
    const { cache } = cacheAt();
    const a = file('payroll.xlsx bytes');
    await cache.put(a.md5, a.bytes, cacheScope('acme'));
    expect((await cache.get(a.md5, cacheScope('acme')))?.equals(a.bytes)).toBe(true);
    expect(await cache.get(a.md5, cacheScope('rival'))).toBeNull();
    expect(await cache.get(a.md5, cacheScope(''))).toBeNull();
    await cache.close();
  });
});
