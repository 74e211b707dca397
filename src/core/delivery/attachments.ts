import path from 'node:path';
import type { RelayConfig, S3Config } from '../config/types.js';
import { compactBase64, isBase64 } from '../../shared/base64.js';
import { AttachmentError } from './attachments/errors.js';
import { EndpointSource } from './attachments/endpoint-source.js';
import type { AttachmentEndpoints } from './attachments/endpoints.js';
import { Md5Cache } from './attachments/md5-cache.js';
import { S3Source } from './attachments/s3-fetch.js';
import { attachmentSource, derivedName, type AttachmentInput, type AttachmentSource } from './attachments/source.js';
import { fetchUrl, type LookupAll } from './attachments/url-fetch.js';

export { AttachmentError } from './attachments/errors.js';
export type { AttachmentEndpoint, AttachmentEndpoints, ClientAuth, TenantEndpointFields } from './attachments/endpoints.js';
export { defaultTenantEndpoints, tenantAttachmentEndpoints } from './attachments/endpoints.js';
export type { AttachmentInput } from './attachments/source.js';

/** An attachment ready for nodemailer: bytes in memory, never a path or URL nodemailer would fetch. */
export interface ResolvedAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
  cid?: string;
}

export interface AttachmentOptions {
  timeoutMs: number;
  /** per attachment and for all of a message's attachments together */
  maxBytes: number;
  s3: S3Config;
  allowPrivateNetworks: boolean;
  /** the endpoint attachments' MD5 cache */
  cacheDir: string;
  cacheMaxBytes: number;
  cacheMaxAgeSeconds: number;
  /** tests resolve host names themselves */
  lookup?: LookupAll;
  onCacheError?: (err: unknown) => void;
}

/** The options of the relay's configuration: the cache lives in the data folder. */
export function attachmentOptions(config: RelayConfig, onCacheError?: (err: unknown) => void): AttachmentOptions {
  return { ...config.attachments, cacheDir: path.join(config.dataDir, 'attachment-cache'), onCacheError };
}

/** The message an attachment belongs to: its tenant picks the endpoint. */
export interface ResolveContext {
  tenantId: string;
  signal?: AbortSignal;
}

/** the endpoint attachments fetched at once, as the original does */
const ENDPOINT_CONCURRENCY = 3;

/**
 * Obtains attachment content: base64, an http(s) URL (guarded against private networks), an S3 object,
 * or a file of the application's attachment endpoint (MD5-cached), with timeouts and size limits.
 */
export class AttachmentResolver {
  private readonly s3: S3Source;
  private readonly cache: Md5Cache;
  private readonly endpoint: EndpointSource;

  constructor(
    private readonly opts: AttachmentOptions,
    endpoints: AttachmentEndpoints,
  ) {
    this.s3 = new S3Source(opts);
    this.cache = new Md5Cache({ dir: opts.cacheDir, maxBytes: opts.cacheMaxBytes, maxAgeSeconds: opts.cacheMaxAgeSeconds, onError: opts.onCacheError });
    this.endpoint = new EndpointSource({ ...opts, endpoints, cache: this.cache, concurrency: ENDPOINT_CONCURRENCY });
  }

  async resolve(specs: AttachmentInput[] | undefined, ctx: ResolveContext): Promise<ResolvedAttachment[]> {
    if (!specs?.length) return [];
    const out: ResolvedAttachment[] = [];
    let total = 0;
    for (const [i, spec] of specs.entries()) {
      const source = attachmentSource(spec);
      const filename = spec.filename ?? derivedName(source) ?? `attachment-${i + 1}`;
      const content = await this.content(source, spec, i, filename, ctx);
      total += content.length;
      if (total > this.opts.maxBytes) {
        throw new AttachmentError(`${labelOf(spec, i)}: attachments exceed the size limit of ${this.opts.maxBytes} bytes`);
      }
      out.push({
        filename,
        content,
        ...(spec.content_type ? { contentType: spec.content_type } : {}),
        ...(spec.cid ? { cid: spec.cid } : {}),
      });
    }
    return out;
  }

  /**
   * The bytes of one attachment. A storage_path attachment's errors start with `Attachment fetch failed
   * for <filename>: ` (Genropy retries on that text); the others keep the relay's own wording, and
   * their failures stay final.
   */
  private async content(source: AttachmentSource, spec: AttachmentInput, i: number, filename: string, ctx: ResolveContext): Promise<Buffer> {
    const label = labelOf(spec, i);
    const failed = `Attachment fetch failed for ${filename}`;
    const { timeoutMs, maxBytes, allowPrivateNetworks, lookup } = this.opts;
    switch (source.kind) {
      case 'refused':
        throw new AttachmentError(`${spec.storage_path !== undefined && spec.storage_path !== null ? failed : label}: ${source.reason}`);
      case 'content':
        return this.decodeBase64(source.base64, label);
      case 'storage-base64':
        return this.decodeBase64(source.base64, failed);
      case 's3':
        return this.s3.fetch(source.bucket, source.key, label, ctx.signal);
      case 'url':
        try {
          return await fetchUrl(source.url, label, { timeoutMs, maxBytes, allowPrivateNetworks, lookup, signal: ctx.signal, showUrl: true });
        } catch (err) {
          // as before endpoint attachments: a url attachment that failed fails its message
          throw err instanceof AttachmentError ? new AttachmentError(err.message) : err;
        }
      case 'storage-url':
        return fetchUrl(source.url, failed, { timeoutMs, maxBytes, allowPrivateNetworks, lookup, signal: ctx.signal, showUrl: false });
      case 'endpoint':
        return this.endpoint.fetch({
          tenantId: ctx.tenantId,
          storagePath: source.storagePath,
          contentMd5: spec.content_md5 ?? null,
          prefix: `${failed}: `,
          signal: ctx.signal,
        });
    }
  }

  private decodeBase64(value: string, label: string): Buffer {
    if (!isBase64(value)) throw new AttachmentError(`${label}: content is not valid base64`);
    const buf = Buffer.from(compactBase64(value), 'base64');
    if (buf.length > this.opts.maxBytes) {
      throw new AttachmentError(`${label}: ${buf.length} bytes exceed the size limit of ${this.opts.maxBytes} bytes`);
    }
    return buf;
  }

  close(): void {
    this.s3.close();
    void this.cache.close();
  }
}

function labelOf(spec: AttachmentInput, index: number): string {
  return `attachment ${index + 1}${spec.filename ? ` '${spec.filename}'` : ''}`;
}
