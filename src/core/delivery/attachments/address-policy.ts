import net from 'node:net';

/** Why an address is not fetched from by default. */
export type AddressClass = 'unspecified' | 'loopback' | 'link-local' | 'private' | 'unique-local' | 'reserved';

type Range = [AddressClass, string, number];

/** IPv4 ranges a message's URL may not reach; IPv4-mapped and NAT64 (64:ff9b::/96) forms match them too. */
const IPV4: Range[] = [
  ['unspecified', '0.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['private', '100.64.0.0', 10], // carrier-grade NAT: private in practice
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24],
  ['private', '192.168.0.0', 16],
  ['reserved', '198.18.0.0', 15],
  ['reserved', '224.0.0.0', 3], // multicast, reserved and broadcast
];

const IPV6: Range[] = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['reserved', '::', 96], // IPv4-compatible addresses (deprecated)
  ['unique-local', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['private', 'fec0::', 10], // site-local (deprecated)
  ['reserved', 'ff00::', 8], // multicast
];

const ORDER: AddressClass[] = ['unspecified', 'loopback', 'link-local', 'private', 'unique-local', 'reserved'];
const LISTS = new Map<AddressClass, net.BlockList>(ORDER.map((c) => [c, new net.BlockList()]));
for (const [cls, network, prefix] of IPV4) {
  LISTS.get(cls)!.addSubnet(network, prefix, 'ipv4');
  LISTS.get(cls)!.addSubnet(`64:ff9b::${network}`, 96 + prefix, 'ipv6');
}
for (const [cls, network, prefix] of IPV6) LISTS.get(cls)!.addSubnet(network, prefix, 'ipv6');

/**
 * The class of an address a message's URL may not reach, or null for a public address. Anything that
 * is not an IP address counts as 'reserved' (names are resolved before they are checked).
 */
export function refusedAddressClass(address: string): AddressClass | null {
  let ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  ip = ip.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) names an interface, not another address
  const family = net.isIP(ip);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const cls of ORDER) if (LISTS.get(cls)!.check(ip, type)) return cls;
  return null;
}
