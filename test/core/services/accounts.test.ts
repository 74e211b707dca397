import { describe, expect, it } from 'vitest';
import { accountFromInput, createAccountsService, publicAccount } from '../../../src/core/services/accounts.js';
import type { AccountInputBody } from '../../../src/core/messages/payload-schema.js';
import { RelayError } from '../../../src/core/errors.js';
import { contextPerTest } from '../../support/relay/context.js';
import { ADMIN } from '../../../src/core/services/scope.js';

const body = (over: Partial<AccountInputBody> = {}): AccountInputBody => ({ id: 'acc', host: 'smtp.example.com', port: 587, ...over });

describe('account rules (genro-mail-proxy POST /account)', () => {
  it("fills genro-mail-proxy's defaults and keeps limits only when positive", () => {
    expect(accountFromInput(body({ limit_per_minute: 0, limit_per_hour: -5, limit_per_day: 100, batch_size: 0, timeout: 30, max_connections: null }), null)).toEqual({
      tenant_id: '',
      id: 'acc',
      host: 'smtp.example.com',
      port: 587,
      user: null,
      password: null,
      ttl: 300,
      limit_per_minute: null,
      limit_per_hour: null,
      limit_per_day: 100,
      limit_behavior: 'defer',
      use_tls: null,
      batch_size: null,
      timeout: 30,
      max_connections: null,
      fallbacks: null,
      weight: null,
      allow_insecure_auth: false,
    });
  });

  it("maps 'reject' to 'error', keeps an empty fallback list as none", () => {
    expect(accountFromInput(body({ limit_behavior: 'reject' }), null).limit_behavior).toBe('error');
    expect(accountFromInput(body({ limit_behavior: 'error' }), null).limit_behavior).toBe('error');
    expect(accountFromInput(body({ fallbacks: [] }), null).fallbacks).toBeNull();
    expect(accountFromInput(body({ fallbacks: ['b', 'c'], weight: 3 }), null)).toMatchObject({ fallbacks: ['b', 'c'], weight: 3 });
  });

  it('keeps the stored password when the body omits it; an explicit null clears it', () => {
    expect(accountFromInput(body(), 'stored').password).toBe('stored');
    expect(accountFromInput(body({ password: null }), 'stored').password).toBeNull();
    expect(accountFromInput(body({ password: 'new' }), 'stored').password).toBe('new');
  });

  it('refuses an account that falls back to itself (422 naming the field)', () => {
    let caught: unknown;
    try {
      accountFromInput(body({ fallbacks: ['other', 'acc'] }), null);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RelayError);
    expect(caught).toMatchObject({ status: 422, code: 'validation_error', message: 'fallbacks: an account cannot fall back to itself' });
  });

  it('shows whether a password is set, never the password', () => {
    const shown = publicAccount({ ...accountFromInput(body({ password: 'secret' }), null), created_at: 'now', updated_ts: 1 });
    expect(shown).not.toHaveProperty('password');
    expect(shown.password_set).toBe(true);
    expect(publicAccount({ ...accountFromInput(body({ password: '' }), null), created_at: 'now', updated_ts: 1 }).password_set).toBe(false);
  });
});

describe('accounts service', () => {
  const context = contextPerTest();

  it('stores the account, keeps its password on an edit, wakes dispatch after the commit; the store announces the change', async () => {
    const ctx = await context();
    const events: string[] = [];
    ctx.bus.on('dispatch.wake', () => events.push('wake'));
    ctx.bus.on('accounts', ({ ids }) => events.push(`accounts:${ids.join(',')}`));
    const dispatcher = {
      accountStatus: () => ({ in_flight: 0, backoff_until: null, backoff_error: null, pool_open: false }),
      rateLimitState: async () => [],
      verifyAccount: async () => ({ ok: true, stage: 'ok' as const, message: 'fine' }),
    };
    const accounts = createAccountsService({
      accounts: ctx.store.accounts,
      store: ctx.store,
      dispatcher,
      tenantMustExist: async () => undefined,
      bus: ctx.bus,
      clock: ctx.clock,
    });
    await accounts.upsert(ADMIN, body({ password: 'pw', limit_per_minute: 10 }));
    expect(events).toEqual(['accounts:acc', 'wake']);
    expect(await accounts.upsert(ADMIN, body({ limit_per_minute: 20 }))).toBeNull();
    expect((await ctx.store.accounts.get('', 'acc'))?.password).toBe('pw');
    const [listed] = await accounts.list(ADMIN);
    expect(listed).toMatchObject({ id: 'acc', host: 'smtp.example.com', password_set: true });
    expect(listed).not.toHaveProperty('password');
    const [view] = await accounts.listWithDelivery();
    expect(view).toMatchObject({ id: 'acc', password_set: true, rate: [], in_flight: 0, pool_open: false });
    expect(await accounts.verify('', 'acc')).toMatchObject({ ok: true });
    await expect(accounts.verify('', 'ghost')).rejects.toMatchObject({ status: 404 });
    expect(await accounts.delete(ADMIN, 'acc')).toBe(true);
    expect(await accounts.delete(ADMIN, 'acc')).toBe(false);
  });
});

describe('accounts service: a stored password stays with its server (#17.2)', () => {
  const context = contextPerTest();
  const service = async () => {
    const ctx = await context();
    const dispatcher = {
      accountStatus: () => ({ in_flight: 0, backoff_until: null, backoff_error: null, pool_open: false }),
      rateLimitState: async () => [],
      verifyAccount: async () => ({ ok: true, stage: 'ok' as const, message: 'fine' }),
    };
    const accounts = createAccountsService({ accounts: ctx.store.accounts, store: ctx.store, dispatcher, tenantMustExist: async () => undefined, bus: ctx.bus, clock: ctx.clock });
    return { ctx, accounts };
  };

  it.each([
    ['host', { host: 'attacker.example' }],
    ['host', { host: 'smtp.example.com.evil' }],
    ['port', { port: 2525 }],
    ['user', { user: 'someone-else' }],
  ] as const)('drops it when the %s changes and the edit does not resend it, and says so', async (what, change) => {
    const { ctx, accounts } = await service();
    await accounts.upsert(ADMIN, body({ user: 'me', password: 'pw' }));
    const answer = await accounts.upsert(ADMIN, body({ user: 'me', ...change }));
    expect(answer).toEqual({ secrets_dropped: ['password'], message: expect.stringContaining(`${what} changed`) });
    expect((await ctx.store.accounts.get('', 'acc'))?.password).toBeNull();
  });

  it('keeps it for the same server (host compared without case), takes the one resent with the change', async () => {
    const { ctx, accounts } = await service();
    await accounts.upsert(ADMIN, body({ user: 'me', password: 'pw' }));
    expect(await accounts.upsert(ADMIN, body({ user: 'me', host: 'SMTP.example.com', limit_per_minute: 5 }))).toBeNull();
    expect((await ctx.store.accounts.get('', 'acc'))?.password).toBe('pw');
    expect(await accounts.upsert(ADMIN, body({ user: 'me', host: 'smtp2.example.com', password: 'pw2' }))).toBeNull();
    expect((await ctx.store.accounts.get('', 'acc'))?.password).toBe('pw2');
  });
});

describe('allow_insecure_auth (#17.7)', () => {
  const context = contextPerTest();
  it('is off unless the account sets it; it is stored and shown', async () => {
    const ctx = await context();
    const dispatcher = {
      accountStatus: () => ({ in_flight: 0, backoff_until: null, backoff_error: null, pool_open: false }),
      rateLimitState: async () => [],
      verifyAccount: async () => ({ ok: true, stage: 'ok' as const, message: 'fine' }),
    };
    const accounts = createAccountsService({ accounts: ctx.store.accounts, store: ctx.store, dispatcher, tenantMustExist: async () => undefined, bus: ctx.bus, clock: ctx.clock });
    await accounts.upsert(ADMIN, body({ id: 'plain' }));
    await accounts.upsert(ADMIN, body({ id: 'lax', allow_insecure_auth: true }));
    expect((await ctx.store.accounts.get('', 'plain'))?.allow_insecure_auth).toBe(false);
    expect((await ctx.store.accounts.get('', 'lax'))?.allow_insecure_auth).toBe(true);
    expect((await accounts.listWithDelivery()).map((a) => [a.id, a.allow_insecure_auth])).toEqual([
      ['lax', true],
      ['plain', false],
    ]);
  });
});
