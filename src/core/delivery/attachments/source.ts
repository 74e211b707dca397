import path from 'node:path';
import type { AttachmentSpec } from '../../messages/types.js';

/**
 * An attachment as delivery reads it: the stored spec, with the fields of Genropy's attachments
 * (v0.6.10: `storage_path`, `fetch_mode`, `content_md5`), which the API passes through as data.
 */
export type AttachmentInput = AttachmentSpec & {
  storage_path?: string | null;
  fetch_mode?: string | null;
  content_md5?: string | null;
};

/** Where an attachment's bytes come from. */
export type AttachmentSource =
  | { kind: 'content'; base64: string }
  | { kind: 'url'; url: string }
  | { kind: 's3'; bucket: string; key: string }
  /** POST {storage_path} to the tenant's attachment endpoint */
  | { kind: 'endpoint'; storagePath: string }
  /** a storage_path that is itself an http(s) URL, or base64 data */
  | { kind: 'storage-url'; url: string }
  | { kind: 'storage-base64'; base64: string }
  | { kind: 'refused'; reason: string };

const HTTP_URL = /^https?:\/\//i;
const BASE64_PREFIX = 'base64:';

/**
 * The source of an attachment: exactly one of content, url, s3 or storage_path. A storage_path is
 * read as v0.6.10 does: `fetch_mode` when given, else by its prefix (`base64:`, `http(s)://`, `/`),
 * else the endpoint. Local file paths are never read.
 */
export function attachmentSource(spec: AttachmentInput): AttachmentSource {
  const storagePath = spec.storage_path ?? undefined;
  const given = [spec.content !== undefined, spec.url !== undefined, spec.s3 !== undefined, storagePath !== undefined].filter(Boolean).length;
  if (given !== 1) return { kind: 'refused', reason: 'give exactly one of content, url, s3 or storage_path' };
  if (spec.content !== undefined) return { kind: 'content', base64: spec.content };
  if (spec.url !== undefined) return { kind: 'url', url: spec.url };
  if (spec.s3 !== undefined) return { kind: 's3', bucket: spec.s3.bucket, key: spec.s3.key };
  const p = storagePath!;
  if (!p) return { kind: 'refused', reason: 'storage_path is empty' };
  const mode = spec.fetch_mode || (p.startsWith(BASE64_PREFIX) ? 'base64' : HTTP_URL.test(p) ? 'http_url' : p.startsWith('/') ? 'filesystem' : 'endpoint');
  switch (mode) {
    case 'endpoint':
      return { kind: 'endpoint', storagePath: p };
    case 'http_url':
      return { kind: 'storage-url', url: p };
    case 'base64':
      return { kind: 'storage-base64', base64: p.startsWith(BASE64_PREFIX) ? p.slice(BASE64_PREFIX.length) : p };
    case 'filesystem':
      return { kind: 'refused', reason: 'local file paths are not read by the relay' };
    default:
      return { kind: 'refused', reason: `unknown fetch_mode '${mode}'` };
  }
}

/** The last part of a path or key, if any. */
export function baseName(p: string): string | undefined {
  const b = path.posix.basename(p);
  return b && b !== '/' ? b : undefined;
}

/** The file name a source suggests when the spec gives none (`volume:dir/offer.pdf` → offer.pdf). */
export function derivedName(source: AttachmentSource): string | undefined {
  switch (source.kind) {
    case 'url':
    case 'storage-url':
      try {
        return baseName(decodeURIComponent(new URL(source.url).pathname));
      } catch {
        return undefined;
      }
    case 's3':
      return baseName(source.key);
    case 'endpoint':
      return baseName(source.storagePath.slice(source.storagePath.indexOf(':') + 1));
    default:
      return undefined;
  }
}
