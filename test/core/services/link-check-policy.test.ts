import { describe, expect, it } from 'vitest';
import { linkAddressDecision, linkUrlDecision, retryWithGet } from '../../../src/core/services/link-check-policy.js';

describe('link check address policy', () => {
  it('refuses loopback, private, link-local and unique-local addresses unless allowed', () => {
    for (const a of ['127.0.0.1', '::1', '10.1.2.3', '192.168.1.1', '172.16.0.9', '169.254.169.254', 'fe80::1', 'fd00::5', '0.0.0.0', '::ffff:127.0.0.1']) {
      const d = linkAddressDecision('h.test', [a], false);
      expect(d.allowed, a).toBe(false);
      expect(linkAddressDecision('h.test', [a], true), a).toEqual({ allowed: true });
    }
    expect(linkAddressDecision('h.test', ['127.0.0.1'], false)).toEqual({
      allowed: false,
      reason: 'not checked: h.test is a loopback address (127.0.0.1); [sandbox] link_check_private is off',
    });
  });

  it('allows public addresses, and refuses a host when any of its addresses is private', () => {
    expect(linkAddressDecision('h.test', ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], false)).toEqual({ allowed: true });
    expect(linkAddressDecision('h.test', ['93.184.215.14', '10.0.0.1'], false).allowed).toBe(false);
  });

  it('refuses a host that resolves to nothing, even when private networks are allowed', () => {
    expect(linkAddressDecision('nowhere.test', [], true)).toEqual({ allowed: false, reason: 'nowhere.test: host not found' });
  });

  it('checks only http and https URLs, resolving redirects against the page', () => {
    expect(linkUrlDecision('https://x.test/a')).toMatchObject({ check: true });
    expect(linkUrlDecision('ftp://x.test/a')).toEqual({ check: false, reason: 'ftp link, not checked' });
    expect(linkUrlDecision('not a url')).toEqual({ check: false, reason: 'not a valid URL' });
    const next = linkUrlDecision('/b?c=1', new URL('http://x.test/a'));
    expect(next.check && next.url.href).toBe('http://x.test/b?c=1');
  });

  it('asks again with GET where servers answer HEAD badly', () => {
    expect([200, 301, 405, 501, 404, 500].map(retryWithGet)).toEqual([false, false, true, true, true, true]);
  });
});
