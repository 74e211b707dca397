import path from 'node:path';
import type { S3Config } from '../config/types.js';
import type { AttachmentSpec } from '../messages/types.js';
import { AttachmentError } from './attachments/errors.js';
import { S3Source } from './attachments/s3-fetch.js';
import { fetchUrl, type LookupAll } from './attachments/url-fetch.js';

export { AttachmentError } from './attachments/errors.js';

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
  /** tests resolve host names themselves */
  lookup?: LookupAll;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function describe(spec: AttachmentSpec, index: number): string {
  const name = spec.filename ? ` '${spec.filename}'` : '';
  return `attachment ${index + 1}${name}`;
}

function baseName(p: string): string | undefined {
  const b = path.posix.basename(p);
  return b && b !== '/' ? b : undefined;
}

/** Fetches attachment content (base64, http(s) URL guarded against private networks, S3 object) with timeouts and size limits. */
export class AttachmentResolver {
  private readonly s3: S3Source;

  constructor(private readonly opts: AttachmentOptions) {
    this.s3 = new S3Source(opts);
  }

  async resolve(specs: AttachmentSpec[] | undefined, signal?: AbortSignal): Promise<ResolvedAttachment[]> {
    if (!specs?.length) return [];
    const out: ResolvedAttachment[] = [];
    let total = 0;
    for (const [i, spec] of specs.entries()) {
      const label = describe(spec, i);
      const sources = [spec.content !== undefined, spec.url !== undefined, spec.s3 !== undefined].filter(Boolean).length;
      if (sources !== 1) throw new AttachmentError(`${label}: give exactly one of content, url or s3`);
      let content: Buffer;
      let derivedName: string | undefined;
      if (spec.content !== undefined) {
        content = this.decodeBase64(spec.content, label);
      } else if (spec.url !== undefined) {
        content = await this.fetchUrl(spec.url, label, signal);
        derivedName = safeUrlName(spec.url);
      } else {
        const s3 = spec.s3!;
        content = await this.s3.fetch(s3.bucket, s3.key, label, signal);
        derivedName = baseName(s3.key);
      }
      total += content.length;
      if (total > this.opts.maxBytes) {
        throw new AttachmentError(`${label}: attachments exceed the size limit of ${this.opts.maxBytes} bytes`);
      }
      out.push({
        filename: spec.filename ?? derivedName ?? `attachment-${i + 1}`,
        content,
        ...(spec.content_type ? { contentType: spec.content_type } : {}),
        ...(spec.cid ? { cid: spec.cid } : {}),
      });
    }
    return out;
  }

  private decodeBase64(value: string, label: string): Buffer {
    const compact = value.replace(/\s+/g, '');
    if (!BASE64.test(compact)) throw new AttachmentError(`${label}: content is not valid base64`);
    const buf = Buffer.from(compact, 'base64');
    if (buf.length > this.opts.maxBytes) {
      throw new AttachmentError(`${label}: ${buf.length} bytes exceed the size limit of ${this.opts.maxBytes} bytes`);
    }
    return buf;
  }

  /** A url attachment that failed fails its message, whatever the cause. */
  private async fetchUrl(url: string, label: string, signal?: AbortSignal): Promise<Buffer> {
    const { timeoutMs, maxBytes, allowPrivateNetworks, lookup } = this.opts;
    try {
      return await fetchUrl(url, label, { timeoutMs, maxBytes, allowPrivateNetworks, lookup, signal, showUrl: true });
    } catch (err) {
      throw err instanceof AttachmentError ? new AttachmentError(err.message) : err;
    }
  }

  close(): void {
    this.s3.close();
  }
}

function safeUrlName(url: string): string | undefined {
  try {
    return baseName(decodeURIComponent(new URL(url).pathname));
  } catch {
    return undefined;
  }
}
