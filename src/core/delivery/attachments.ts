import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../config/types.js';
import type { AttachmentSpec } from '../messages/types.js';

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
}

/** An attachment that could not be obtained: the message fails with this reason. */
export class AttachmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttachmentError';
  }
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

/** Fetches attachment content (base64, http(s) URL, S3 object) with timeouts and size limits. */
export class AttachmentResolver {
  private s3Client: S3Client | null = null;

  constructor(private readonly opts: AttachmentOptions) {}

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
        content = await this.fetchS3(s3.bucket, s3.key, label, signal);
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

  private async fetchUrl(url: string, label: string, signal?: AbortSignal): Promise<Buffer> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AttachmentError(`${label}: invalid URL '${url}'`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new AttachmentError(`${label}: only http and https URLs are fetched, not '${parsed.protocol}'`);
    }
    const where = `${label} (${redact(parsed)})`;
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(parsed, { signal: combined, redirect: 'follow' });
    } catch (err) {
      if (timeout.aborted) throw new AttachmentError(`${where}: no answer within ${this.opts.timeoutMs} ms`);
      throw new AttachmentError(`${where}: ${causeOf(err)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new AttachmentError(`${where}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.opts.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new AttachmentError(`${where}: ${declared} bytes exceed the size limit of ${this.opts.maxBytes} bytes`);
    }
    try {
      return await readLimited(res.body, this.opts.maxBytes, where);
    } catch (err) {
      if (err instanceof AttachmentError) throw err;
      if (timeout.aborted) throw new AttachmentError(`${where}: download not finished within ${this.opts.timeoutMs} ms`);
      throw new AttachmentError(`${where}: ${causeOf(err)}`);
    }
  }

  /** The AWS SDK is loaded on the first S3 attachment: most relays never need its ~20 MB. */
  private async client(): Promise<{ client: S3Client; GetObjectCommand: typeof import('@aws-sdk/client-s3').GetObjectCommand }> {
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    if (!this.s3Client) {
      const c = this.opts.s3;
      this.s3Client = new S3Client({
        region: c.region,
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        forcePathStyle: c.forcePathStyle,
        ...(c.accessKeyId && c.secretAccessKey
          ? { credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } }
          : {}),
      });
    }
    return { client: this.s3Client, GetObjectCommand };
  }

  private async fetchS3(bucket: string, key: string, label: string, signal?: AbortSignal): Promise<Buffer> {
    const where = `${label} (s3://${bucket}/${key})`;
    if (!bucket || !key) throw new AttachmentError(`${where}: bucket and key are required`);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const { client, GetObjectCommand } = await this.client();
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      if (res.ContentLength !== undefined && res.ContentLength > this.opts.maxBytes) {
        throw new AttachmentError(`${where}: ${res.ContentLength} bytes exceed the size limit of ${this.opts.maxBytes} bytes`);
      }
      if (!res.Body) throw new AttachmentError(`${where}: empty response`);
      const bytes = Buffer.from(await res.Body.transformToByteArray());
      if (bytes.length > this.opts.maxBytes) {
        throw new AttachmentError(`${where}: ${bytes.length} bytes exceed the size limit of ${this.opts.maxBytes} bytes`);
      }
      return bytes;
    } catch (err) {
      if (err instanceof AttachmentError) throw err;
      if (timeout.aborted) throw new AttachmentError(`${where}: no answer within ${this.opts.timeoutMs} ms`);
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) throw new AttachmentError(`${where}: object not found`);
      if (e.name === 'NoSuchBucket') throw new AttachmentError(`${where}: bucket not found`);
      throw new AttachmentError(`${where}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${causeOf(err)}`);
    }
  }

  close(): void {
    this.s3Client?.destroy();
    this.s3Client = null;
  }
}

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number, where: string): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AttachmentError(`${where}: more than ${maxBytes} bytes (size limit)`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, size);
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const msg = e?.message ?? String(err);
  return cause && !msg.includes(cause) ? `${msg} (${cause})` : msg;
}

/** The URL without credentials or query (it may carry a signature) for error texts. */
function redact(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function safeUrlName(url: string): string | undefined {
  try {
    return baseName(decodeURIComponent(new URL(url).pathname));
  } catch {
    return undefined;
  }
}
