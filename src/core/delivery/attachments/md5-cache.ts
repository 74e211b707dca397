import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const MD5_HEX = /^[0-9a-f]{32}$/;
/** `<scope>-<md5>`: a file is cached per application, so no tenant can ask for another's file by its MD5 */
const CACHE_NAME = /^([0-9a-f]{16})-([0-9a-f]{32})$/;

/** The cache scope of a tenant: a short digest of its id (the default tenant's is that of ''). */
export function cacheScope(tenantId: string): string {
  return crypto.createHash('sha256').update(tenantId).digest('hex').slice(0, 16);
}

export function md5Hex(bytes: Buffer): string {
  return crypto.createHash('md5').update(bytes).digest('hex');
}

export interface Md5CacheOptions {
  dir: string;
  /** total size of the cached files */
  maxBytes: number;
  /** a file not used for this long is removed */
  maxAgeSeconds: number;
  /** wall-clock ms (file times are wall-clock); tests move it */
  nowMs?: () => number;
  onError?: (err: unknown) => void;
}

export interface PruneResult {
  removed: number;
  kept: number;
  bytes: number;
}

const TEMP_PREFIX = '.tmp-';
/** a temp file this old was left by a write that never finished */
const STALE_TEMP_MS = 3600_000;

/**
 * Fetched attachments by tenant and MD5 in one folder: `<dir>/<scope>-<md5>`, written atomically (temp file, then rename)
 * and private (0600), checked against their name when read. Bounded by total size and age: pruned in the
 * background after writes and every so often, least recently used first.
 */
export class Md5Cache {
  /** the pass under way (settled when none), and the one waiting for it */
  private running: Promise<unknown> = Promise.resolve();
  private next: Promise<PruneResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly o: Md5CacheOptions) {}

  private now(): number {
    return (this.o.nowMs ?? Date.now)();
  }

  private fileOf(md5: string, scope: string): string {
    if (!MD5_HEX.test(md5)) throw new Error(`not an MD5: ${md5}`);
    return path.join(this.o.dir, `${scope}-${md5}`);
  }

  /** The cached bytes of `md5` for this tenant's scope, or null; a file whose content no longer matches is removed. */
  async get(md5: string, scope: string): Promise<Buffer | null> {
    this.startTimer();
    const file = this.fileOf(md5, scope);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch {
      return null;
    }
    if (md5Hex(bytes) !== md5) {
      await fs.rm(file, { force: true }).catch(() => {});
      return null;
    }
    const t = new Date(this.now());
    await fs.utimes(file, t, t).catch(() => {});
    return bytes;
  }

  /** Keeps `bytes`, whose MD5 the caller has checked to be `md5`; larger than the whole cache: not kept. */
  async put(md5: string, bytes: Buffer, scope: string): Promise<void> {
    this.startTimer();
    const file = this.fileOf(md5, scope);
    if (bytes.length > this.o.maxBytes) return;
    await fs.mkdir(this.o.dir, { recursive: true, mode: 0o700 });
    const temp = path.join(this.o.dir, `${TEMP_PREFIX}${md5}-${crypto.randomBytes(6).toString('hex')}`);
    try {
      await fs.writeFile(temp, bytes, { mode: 0o600, flag: 'wx' });
      const t = new Date(this.now());
      await fs.utimes(temp, t, t);
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => {});
      throw err;
    }
    void this.prune().catch((err: unknown) => this.o.onError?.(err));
  }

  /**
   * Removes files unused for longer than the age limit, then the least recently used ones until the
   * total fits the size limit. Passes run one at a time; calls made before a pass starts share it.
   */
  prune(): Promise<PruneResult> {
    if (this.closed) return Promise.resolve({ removed: 0, kept: 0, bytes: 0 });
    if (this.next) return this.next;
    const next = this.running.then(() => {
      this.next = null;
      return this.pruneOnce();
    });
    this.next = next;
    this.running = next.catch(() => undefined);
    return next;
  }

  private async pruneOnce(): Promise<PruneResult> {
    const now = this.now();
    let names: string[];
    try {
      names = await fs.readdir(this.o.dir);
    } catch {
      return { removed: 0, kept: 0, bytes: 0 };
    }
    const files: { file: string; size: number; used: number }[] = [];
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.o.dir, name);
      const st = await fs.stat(file).catch(() => null);
      if (!st?.isFile()) continue;
      const stale = name.startsWith(TEMP_PREFIX) ? now - st.mtimeMs > STALE_TEMP_MS : !CACHE_NAME.test(name) || now - st.mtimeMs > this.o.maxAgeSeconds * 1000;
      if (stale) {
        await fs.rm(file, { force: true });
        removed++;
      } else if (!name.startsWith(TEMP_PREFIX)) files.push({ file, size: st.size, used: st.mtimeMs });
    }
    files.sort((a, b) => a.used - b.used);
    let bytes = files.reduce((n, f) => n + f.size, 0);
    while (bytes > this.o.maxBytes && files.length > 0) {
      const f = files.shift()!;
      await fs.rm(f.file, { force: true });
      bytes -= f.size;
      removed++;
    }
    return { removed, kept: files.length, bytes };
  }

  /** The periodic pass starts with the first use: most relays never fetch an endpoint attachment. */
  private startTimer(): void {
    if (this.timer || this.closed) return;
    const every = Math.min(3600, Math.max(60, this.o.maxAgeSeconds / 4)) * 1000;
    this.timer = setInterval(() => void this.prune().catch((err: unknown) => this.o.onError?.(err)), every);
    this.timer.unref();
    void this.prune().catch((err: unknown) => this.o.onError?.(err));
  }

  /** Stops the periodic pass and waits for one under way (a later use starts it again). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    this.closed = false;
  }
}
