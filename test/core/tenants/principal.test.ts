import { describe, expect, it } from 'vitest';
import { ADMIN, tenantScope } from '../../../src/core/tenants/principal.js';
import { apiKeyHash, newApiKey, sameSecret } from '../../../src/core/tenants/api-keys.js';

describe('tenant scope of a call', () => {
  it('the admin acts for the tenant it names, else the default tenant', () => {
    expect(tenantScope(ADMIN, 'acme')).toEqual({ ok: true, tenantId: 'acme' });
    expect(tenantScope(ADMIN, '')).toEqual({ ok: true, tenantId: '' });
    expect(tenantScope(ADMIN, undefined)).toEqual({ ok: true, tenantId: '' });
    expect(tenantScope(ADMIN, null)).toEqual({ ok: true, tenantId: '' });
  });

  it('a tenant token acts for its own tenant, named or not, and never for another one', () => {
    const acme = { kind: 'tenant' as const, tenantId: 'acme' };
    expect(tenantScope(acme, 'acme')).toEqual({ ok: true, tenantId: 'acme' });
    expect(tenantScope(acme, undefined)).toEqual({ ok: true, tenantId: 'acme' });
    expect(tenantScope(acme, '')).toEqual({ ok: true, tenantId: 'acme' });
    expect(tenantScope(acme, 'other')).toEqual({ ok: false });
    expect(tenantScope(acme, 'ACME')).toEqual({ ok: false });
  });
});

describe('tenant API keys', () => {
  it("are 32 random bytes, URL-safe (token_urlsafe(32)), stored as their SHA-256 in hex", () => {
    const k = newApiKey();
    expect(k).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newApiKey()).not.toBe(k);
    expect(apiKeyHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares secrets of any length', () => {
    expect(sameSecret('token', 'token')).toBe(true);
    expect(sameSecret('token', 'token2')).toBe(false);
    expect(sameSecret('', 'token')).toBe(false);
  });
});
