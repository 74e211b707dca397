import { previewCsp } from '../../../../shared/csp.js';

/**
 * Builds the document shown in the HTML preview frame. The frame is sandboxed without scripts; on top of
 * that a Content-Security-Policy in the document blocks every remote load (tracking pixels, web fonts,
 * remote CSS) until the user allows remote images. Inline images (`cid:`) become the data:/blob: URLs the
 * caller fetched with the token in a header: no URL in the mail may carry a credential.
 */
export interface PreviewOptions {
  html: string;
  allowRemote: boolean;
  /** the data: or blob: URL of the part with this Content-ID (without angle brackets), or null */
  cidUrl: (cid: string) => string | null;
}

export interface PreviewDocument {
  srcdoc: string;
  /** how many references to remote content the mail makes */
  remoteCount: number;
}

const REMOTE = /^\s*(https?:)?\/\//i;
const CSS_URL = /url\(\s*(['"]?)(.*?)\1\s*\)/gi;

function stripCid(ref: string): string {
  return ref.replace(/^cid:/i, '').replace(/^<|>$/g, '').trim();
}

function countCssRemote(css: string): number {
  let n = 0;
  for (const m of css.matchAll(CSS_URL)) if (REMOTE.test(m[2])) n++;
  n += (css.match(/@import\s+(['"])(https?:)?\/\//gi) ?? []).length;
  return n;
}

function rewriteCssCids(css: string, cidUrl: (cid: string) => string | null): string {
  return css.replace(CSS_URL, (whole, q: string, ref: string) => {
    if (!/^cid:/i.test(ref)) return whole;
    const url = cidUrl(stripCid(ref));
    return url ? `url(${q}${url}${q})` : whole;
  });
}

export function buildPreviewDocument(opts: PreviewOptions): PreviewDocument {
  const doc = new DOMParser().parseFromString(opts.html, 'text/html');
  let remoteCount = 0;

  // never useful in a preview, and some would load or navigate outside the policy
  doc.querySelectorAll('script, base, meta[http-equiv="refresh" i]').forEach((el) => el.remove());
  doc.querySelectorAll('link[rel]').forEach((el) => {
    const rel = (el.getAttribute('rel') ?? '').toLowerCase();
    if (/(dns-prefetch|preconnect|prefetch|prerender|preload|modulepreload)/.test(rel)) el.remove();
    else if (rel.includes('stylesheet') && REMOTE.test(el.getAttribute('href') ?? '')) remoteCount++;
  });

  for (const el of doc.querySelectorAll('[src], [background], [poster]')) {
    for (const attr of ['src', 'background', 'poster']) {
      const v = el.getAttribute(attr);
      if (!v) continue;
      if (/^cid:/i.test(v)) {
        const url = opts.cidUrl(stripCid(v));
        if (url) el.setAttribute(attr, url);
      } else if (REMOTE.test(v)) {
        remoteCount++;
      }
    }
  }
  for (const el of doc.querySelectorAll('[srcset]')) {
    if ((el.getAttribute('srcset') ?? '').split(',').some((part) => REMOTE.test(part))) remoteCount++;
  }
  for (const el of doc.querySelectorAll('[style]')) {
    const css = el.getAttribute('style') ?? '';
    remoteCount += countCssRemote(css);
    el.setAttribute('style', rewriteCssCids(css, opts.cidUrl));
  }
  for (const el of doc.querySelectorAll('style')) {
    const css = el.textContent ?? '';
    remoteCount += countCssRemote(css);
    el.textContent = rewriteCssCids(css, opts.cidUrl);
  }

  const head = doc.head;
  const meta = (attrs: Record<string, string>) => {
    const m = doc.createElement('meta');
    for (const [k, v] of Object.entries(attrs)) m.setAttribute(k, v);
    return m;
  };
  const base = doc.createElement('base');
  base.setAttribute('target', '_blank');
  // the policy must come first: it only governs what the parser meets after it
  head.prepend(
    meta({ 'http-equiv': 'Content-Security-Policy', content: previewCsp(opts.allowRemote, 'meta') }),
    meta({ name: 'referrer', content: 'no-referrer' }),
    base,
  );
  if (!head.querySelector('meta[charset]')) head.prepend(meta({ charset: 'utf-8' }));

  const doctype = doc.doctype ? `<!DOCTYPE ${doc.doctype.name}>` : '';
  return { srcdoc: doctype + doc.documentElement.outerHTML, remoteCount };
}

/** Header lists arrive as [{key,value}], [[key,value]] or {key: value | value[]}; the UI shows pairs. */
export function normalizeHeaders(h: unknown): { key: string; value: string }[] {
  if (!h) return [];
  if (Array.isArray(h)) {
    return h.flatMap((item) => {
      if (Array.isArray(item) && item.length >= 2) return [{ key: String(item[0]), value: String(item[1]) }];
      if (item && typeof item === 'object' && 'key' in item) {
        const o = item as { key: unknown; value?: unknown; line?: unknown };
        return [{ key: String(o.key), value: String(o.value ?? o.line ?? '') }];
      }
      return [];
    });
  }
  if (typeof h === 'object') {
    return Object.entries(h as Record<string, unknown>).flatMap(([key, v]) =>
      Array.isArray(v) ? v.map((x) => ({ key, value: typeof x === 'string' ? x : JSON.stringify(x) })) : [{ key, value: typeof v === 'string' ? v : JSON.stringify(v) }],
    );
  }
  return [];
}
