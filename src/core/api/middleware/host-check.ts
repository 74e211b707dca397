import type Koa from 'koa';
import { RelayError } from '../../errors.js';
import { isLoopbackHost } from '../../loopback.js';

/** Where the relay listens and the names the operator allowed besides the loopback ones. */
export interface HostPolicy {
  listenHost: string;
  /** `[server] allowed_hosts`, lower-case, without port */
  allowedHosts: readonly string[];
}

export type HostVerdict = { ok: true } | { ok: false; host: string };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The host name of a Host header, lower-case, without port or IPv6 brackets ('' when absent). */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(h);
  if (bracketed) return bracketed[1]!;
  if ((h.match(/:/g) ?? []).length > 1) return h; // a bare IPv6 address (a listen host), no port
  return h.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * DNS rebinding guard: a relay on a loopback address answers only to its own address, the loopback
 * names and `allowed_hosts`; on another address the check applies once `allowed_hosts` is set.
 */
export function hostVerdict(header: string | undefined, policy: HostPolicy): HostVerdict {
  const listen = hostName(policy.listenHost);
  if (!isLoopbackHost(listen) && policy.allowedHosts.length === 0) return { ok: true };
  const name = hostName(header);
  const allowed = [listen, ...LOOPBACK_NAMES, ...policy.allowedHosts.map(hostName)];
  return name !== '' && allowed.includes(name) ? { ok: true } : { ok: false, host: name };
}

/** Answers 421 to a request for a host name the relay does not serve (API and UI alike). */
export function hostCheckMiddleware(policy: HostPolicy): Koa.Middleware {
  return async (ctx, next) => {
    const verdict = hostVerdict(ctx.get('Host'), policy);
    if (!verdict.ok) {
      throw new RelayError(
        421,
        'misdirected_request',
        `Host '${verdict.host}' is not served by this relay: add it to [server] allowed_hosts (GMP_ALLOWED_HOSTS) to reach the relay by that name`,
      );
    }
    return next();
  };
}
