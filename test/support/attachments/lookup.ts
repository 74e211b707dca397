import type { PinnedAddress } from '../../../src/core/delivery/attachments/http-request.js';
import type { LookupAll } from '../../../src/core/delivery/attachments/url-fetch.js';

/** A name resolver from a table (never real DNS), recording the names it was asked for. */
export function fakeLookup(table: Record<string, string[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<PinnedAddress[]> => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}
