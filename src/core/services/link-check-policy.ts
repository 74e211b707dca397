import { refusedAddressClass } from '../delivery/attachments/address-policy.js';

/** The pure decisions of the link check: which URLs it checks, and which addresses it may connect to. */

export type LinkUrlDecision = { check: true; url: URL } | { check: false; reason: string };

/** Only http and https links are requested; anything else is listed with the reason it was not. */
export function linkUrlDecision(raw: string, base?: URL): LinkUrlDecision {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return { check: false, reason: 'not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { check: false, reason: `${url.protocol.replace(/:$/, '')} link, not checked` };
  return { check: true, url };
}

export type AddressDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether a hop may connect: every address the host resolves to must be public, unless private
 * networks are allowed ([sandbox] link_check_private). One private answer refuses the host, so a
 * name cannot smuggle a loopback address in beside a public one.
 */
export function linkAddressDecision(host: string, addresses: readonly string[], allowPrivate: boolean): AddressDecision {
  if (addresses.length === 0) return { allowed: false, reason: `${host}: host not found` };
  if (allowPrivate) return { allowed: true };
  for (const a of addresses) {
    const cls = refusedAddressClass(a);
    if (cls !== null) {
      return { allowed: false, reason: `not checked: ${host} is ${cls === 'unspecified' ? 'an' : 'a'} ${cls} address (${a}); [sandbox] link_check_private is off` };
    }
  }
  return { allowed: true };
}

/** HEAD is answered badly by many servers: these statuses are asked again with GET. */
export function retryWithGet(status: number): boolean {
  return status === 405 || status === 501 || status === 403 || status === 404 || status >= 500;
}
