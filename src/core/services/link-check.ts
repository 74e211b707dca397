import type http from 'node:http';
import net from 'node:net';
import { Parser } from 'htmlparser2';
import type { LinkCheckAnswer, LinkCheckResult } from '../../shared/api/captured-tools.js';
import { networkCause, statusLine } from '../delivery/attachments/errors.js';
import { discard, httpRequest, type PinnedAddress } from '../delivery/attachments/http-request.js';
import { systemLookupAll, type LookupAll } from '../delivery/attachments/url-fetch.js';
import { linkAddressDecision, linkUrlDecision, retryWithGet } from './link-check-policy.js';

export type LinkKind = LinkCheckResult['kind'];

export interface LinkCheckOptions {
  /** loopback, private and link-local addresses may be requested ([sandbox] link_check_private) */
  allowPrivate: boolean;
  /** per request (each hop, HEAD and GET apart) */
  timeoutMs?: number;
  concurrency?: number;
  maxLinks?: number;
  maxRedirects?: number;
  /** tests resolve names themselves */
  lookup?: LookupAll;
}

const DEFAULTS = { timeoutMs: 5000, concurrency: 6, maxLinks: 200, maxRedirects: 5 };

/** The links (a, area), images (img) and stylesheets (link rel=stylesheet) an HTML body names, each once, in order. */
export function extractLinks(html: string): { url: string; kind: LinkKind }[] {
  const seen = new Set<string>();
  const out: { url: string; kind: LinkKind }[] = [];
  const add = (url: string | undefined, kind: LinkKind) => {
    const u = url?.trim();
    // an anchor, an address, a part of the message itself: nothing on the web to check
    if (!u || u.startsWith('#') || /^(mailto|tel|sms|cid|data|javascript):/i.test(u) || seen.has(u)) return;
    seen.add(u);
    out.push({ url: u, kind });
  };
  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === 'a' || name === 'area') add(attrs.href, 'link');
      else if (name === 'img') add(attrs.src, 'image');
      else if (name === 'link' && /\bstylesheet\b/i.test(attrs.rel ?? '')) add(attrs.href, 'stylesheet');
    },
  });
  parser.write(html);
  parser.end();
  return out;
}

type Hop = { status: number; location: string | undefined };

/** Checks what a message links to, on request only: never automatically (the recipient's servers learn of it). */
export class LinkChecker {
  private readonly o: Required<Omit<LinkCheckOptions, 'lookup'>> & { lookup: LookupAll };

  constructor(options: LinkCheckOptions) {
    this.o = { ...DEFAULTS, lookup: systemLookupAll, ...options };
  }

  async checkHtml(html: string): Promise<LinkCheckAnswer> {
    const all = extractLinks(html);
    const links = all.slice(0, this.o.maxLinks);
    const results: LinkCheckResult[] = new Array(links.length);
    let next = 0;
    // a fixed pool of workers: at most `concurrency` requests in flight
    const worker = async () => {
      while (next < links.length) {
        const i = next++;
        results[i] = await this.checkOne(links[i].url, links[i].kind);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, links.length) }, worker));
    return {
      links: results,
      checked: results.filter((r) => r.status !== null).length,
      failed: results.filter((r) => !r.ok).length,
      truncated: all.length > links.length,
    };
  }

  async checkOne(raw: string, kind: LinkKind): Promise<LinkCheckResult> {
    const first = linkUrlDecision(raw);
    if (!first.check) return { url: raw, kind, status: null, ok: false, detail: first.reason, redirects: 0 };
    let url = first.url;
    for (let redirects = 0; ; redirects++) {
      let hop: Hop;
      try {
        hop = await this.request(url, 'HEAD');
        if (retryWithGet(hop.status)) hop = await this.request(url, 'GET');
      } catch (err) {
        return { url: raw, kind, status: null, ok: false, detail: err instanceof Refused ? err.message : this.cause(err), redirects };
      }
      if (hop.status >= 300 && hop.status < 400 && hop.location !== undefined) {
        if (redirects >= this.o.maxRedirects) return { url: raw, kind, status: hop.status, ok: false, detail: `more than ${this.o.maxRedirects} redirects`, redirects };
        const target = linkUrlDecision(hop.location, url);
        if (!target.check) return { url: raw, kind, status: hop.status, ok: false, detail: `redirected: ${target.reason}`, redirects: redirects + 1 };
        url = target.url;
        continue;
      }
      const ok = hop.status >= 200 && hop.status < 300;
      return { url: raw, kind, status: hop.status, ok, detail: statusLine(hop.status), redirects };
    }
  }

  private cause(err: unknown): string {
    const name = (err as { name?: string } | null)?.name;
    return name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.o.timeoutMs} ms` : networkCause(err);
  }

  /** One request of one hop, to an address checked by the policy (the connection is pinned to it). */
  private async request(url: URL, method: 'HEAD' | 'GET'): Promise<Hop> {
    const signal = AbortSignal.timeout(this.o.timeoutMs);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const family = net.isIP(host);
    const addresses: PinnedAddress[] = family ? [{ address: host, family: family === 6 ? 6 : 4 }] : await this.o.lookup(host).catch(() => []);
    const decision = linkAddressDecision(url.hostname, addresses.map((a) => a.address), this.o.allowPrivate);
    if (!decision.allowed) throw new Refused(decision.reason);
    const res: http.IncomingMessage = await httpRequest({ url, method, signal, pinned: addresses[0] });
    discard(res);
    return { status: res.statusCode ?? 0, location: res.headers.location };
  }
}

class Refused extends Error {}
