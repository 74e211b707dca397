import { describe, expect, it } from 'vitest';
import { refusedAddressClass } from '../../../../src/core/delivery/attachments/address-policy.js';

describe('refusedAddressClass: the addresses an attachment URL may not reach', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['224.0.0.251', 'reserved'],
    ['ff02::1', 'reserved'],
    ['::127.0.0.1', 'reserved'],
    ['not-an-address', 'reserved'],
  ])('%s is %s', (address, cls) => {
    expect(refusedAddressClass(address)).toBe(cls);
  });

  it('IPv4-mapped and NAT64 forms count as the IPv4 address they carry', () => {
    expect(refusedAddressClass('::ffff:127.0.0.1')).toBe('loopback');
    expect(refusedAddressClass('::ffff:7f00:1')).toBe('loopback');
    expect(refusedAddressClass('0:0:0:0:0:ffff:a00:1')).toBe('private');
    expect(refusedAddressClass('::ffff:169.254.169.254')).toBe('link-local');
    expect(refusedAddressClass('64:ff9b::7f00:1')).toBe('loopback');
    expect(refusedAddressClass('::ffff:8.8.8.8')).toBeNull();
    expect(refusedAddressClass('64:ff9b::808:808')).toBeNull();
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '2a00:1450:4001::200e', '100.128.0.1'])('%s is public', (address) => {
    expect(refusedAddressClass(address)).toBeNull();
  });
});
