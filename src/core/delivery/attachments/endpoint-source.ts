import { fetchFromEndpoint } from './endpoint-fetch.js';
import type { AttachmentEndpoints } from './endpoints.js';
import { AttachmentError } from './errors.js';
import { MD5_HEX, cacheScope, md5Hex, type Md5Cache } from './md5-cache.js';

export interface EndpointSourceOptions {
  endpoints: AttachmentEndpoints;
  cache: Md5Cache;
  timeoutMs: number;
  maxBytes: number;
  /** endpoint fetches at once (the original's 3) */
  concurrency: number;
  onCacheError?: (err: unknown) => void;
}

export interface EndpointRequest {
  tenantId: string;
  storagePath: string;
  /** the MD5 the application computed, or null */
  contentMd5: string | null;
  /** `Attachment fetch failed for <filename>: ` */
  prefix: string;
  signal?: AbortSignal;
}

/**
 * Endpoint attachments: from the MD5 cache when the application gave an MD5, else fetched from the
 * tenant's endpoint (at most `concurrency` at once; requests for the same file share one fetch), checked
 * against the MD5 and cached. A circular to 1,000 recipients fetches its attachment once.
 */
export class EndpointSource {
  private readonly flights = new Map<string, Promise<Buffer>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly o: EndpointSourceOptions) {}

  async fetch(r: EndpointRequest): Promise<Buffer> {
    const md5 = r.contentMd5 === null ? null : r.contentMd5.trim().toLowerCase();
    if (md5 !== null && !MD5_HEX.test(md5)) throw new AttachmentError(`${r.prefix}content_md5 is not an MD5 (32 hexadecimal digits)`);
    if (md5 !== null) {
      const cached = await this.o.cache.get(md5, cacheScope(r.tenantId)).catch(() => null);
      if (cached) return cached;
    }
    const key = JSON.stringify([r.tenantId, r.storagePath, md5]);
    let flight = this.flights.get(key);
    if (!flight) {
      flight = this.fetchOnce(r, md5).finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
    }
    return flight;
  }

  private async fetchOnce(r: EndpointRequest, md5: string | null): Promise<Buffer> {
    const endpoint = await this.o.endpoints.forTenant(r.tenantId);
    if (!endpoint) throw new AttachmentError(`${r.prefix}no attachment endpoint is configured for this application`);
    await this.acquire(r.signal);
    let bytes: Buffer;
    try {
      bytes = await fetchFromEndpoint(endpoint, r.storagePath, r.prefix, { timeoutMs: this.o.timeoutMs, maxBytes: this.o.maxBytes, signal: r.signal });
    } finally {
      this.release();
    }
    if (md5 === null) return bytes;
    const actual = md5Hex(bytes);
    if (actual !== md5) throw new AttachmentError(`${r.prefix}the content does not match content_md5 (its MD5 is ${actual})`);
    await this.o.cache.put(md5, bytes, cacheScope(r.tenantId)).catch((err: unknown) => this.o.onCacheError?.(err));
    return bytes;
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.running < this.o.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', abort);
        this.running++;
        resolve();
      };
      const abort = () => {
        const i = this.queue.indexOf(turn);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.queue.push(turn);
    });
  }

  private release(): void {
    this.running--;
    this.queue.shift()?.();
  }
}
