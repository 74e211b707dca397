import { describe, expect, it } from 'vitest';
import {
  EMPTY_FORM,
  accountInputFromForm,
  formFromAccount,
  keepsSavedPassword,
  validateAccountForm,
  type AccountForm,
} from '../../../../src/renderer/src/views/accounts/account-form.js';
import { account as accountView } from '../../../support/renderer/fake-relay.js';

const valid: AccountForm = { ...EMPTY_FORM, id: 'primary', host: 'smtp.example.com', port: '587' };
const ctx = { editing: false, existingIds: ['backup', 'primary-old'] };

describe('validateAccountForm', () => {
  it('accepts a minimal account', () => {
    expect(validateAccountForm(valid, ctx)).toEqual({});
    expect(validateAccountForm({ ...valid, host: '10.0.0.5' }, ctx)).toEqual({});
    expect(validateAccountForm({ ...valid, host: 'fe80::1' }, ctx)).toEqual({});
  });

  it('names each bad field', () => {
    const errors = validateAccountForm(
      { ...valid, id: 'has space', host: 'bad host', port: '70000', limit_per_minute: '-1', weight: 'x', batch_size: '1.5' },
      ctx,
    );
    expect(Object.keys(errors).sort()).toEqual(['batch_size', 'host', 'id', 'limit_per_minute', 'port', 'weight']);
    expect(validateAccountForm({ ...valid, id: '' }, ctx).id).toMatch(/id/);
    expect(validateAccountForm({ ...valid, host: '' }, ctx).host).toMatch(/required/);
    expect(validateAccountForm({ ...valid, port: '0' }, ctx).port).toBeDefined();
  });

  it('refuses a duplicate id when creating, not when editing', () => {
    expect(validateAccountForm({ ...valid, id: 'backup' }, ctx).id).toMatch(/already exists/);
    expect(validateAccountForm({ ...valid, id: 'backup' }, { ...ctx, editing: true }).id).toBeUndefined();
  });

  it('asks for user and password together (the password is never read back)', () => {
    expect(validateAccountForm({ ...valid, user: 'me' }, ctx).password).toMatch(/needed/);
    expect(validateAccountForm({ ...valid, user: 'me' }, { ...ctx, editing: true }).password).toMatch(/needed/);
    expect(validateAccountForm({ ...valid, password: 'x' }, ctx).user).toMatch(/needed/);
    expect(validateAccountForm({ ...valid, user: 'me', password: 'x' }, ctx)).toEqual({});
  });

  it('keeps the saved password on an edit of the same host, port and user (the relay keeps it then)', () => {
    const original = accountView('primary', { host: 'smtp.example.com', port: 587, user: 'me', password_set: true });
    const edit = { ...formFromAccount(original), limit_per_minute: '30' };
    const editing = { ...ctx, editing: true, original };
    expect(keepsSavedPassword(edit, original)).toBe(true);
    expect(validateAccountForm(edit, editing)).toEqual({});
    expect(validateAccountForm({ ...edit, host: ' SMTP.example.com ' }, editing)).toEqual({});
    // the body leaves the password out: an explicit null would clear the saved one
    const body = accountInputFromForm(edit, original);
    expect('password' in body && body.password !== undefined).toBe(false);
    expect(JSON.parse(JSON.stringify(body))).not.toHaveProperty('password');
    expect(body.limit_per_minute).toBe(30);
    // another server: the relay drops the saved password, so the form asks for it
    for (const change of [{ host: 'smtp.other.example' }, { port: '465' }, { user: 'someone-else' }]) {
      expect(keepsSavedPassword({ ...edit, ...change }, original)).toBe(false);
      expect(validateAccountForm({ ...edit, ...change }, editing).password).toMatch(/changed: type the password again/);
    }
    // nothing saved: a user still needs a password
    const bare = accountView('primary', { user: 'me', password_set: false });
    expect(validateAccountForm(formFromAccount(bare), { ...ctx, editing: true, original: bare }).password).toMatch(/needed/);
    // a new account without a password sends null, as before
    expect(accountInputFromForm(valid).password).toBeNull();
  });

  it('checks that limits are consistent and fallbacks exist', () => {
    expect(validateAccountForm({ ...valid, limit_per_minute: '100', limit_per_hour: '50' }, ctx).limit_per_hour).toMatch(/below/);
    expect(validateAccountForm({ ...valid, limit_per_hour: '100', limit_per_day: '50' }, ctx).limit_per_day).toMatch(/below/);
    expect(validateAccountForm({ ...valid, fallbacks: 'primary' }, ctx).fallbacks).toMatch(/itself/);
    expect(validateAccountForm({ ...valid, fallbacks: 'backup, ghost' }, ctx).fallbacks).toBe('Unknown account: ghost');
    expect(validateAccountForm({ ...valid, fallbacks: 'backup backup' }, ctx).fallbacks).toMatch(/twice/);
    expect(validateAccountForm({ ...valid, fallbacks: 'backup, primary-old' }, ctx)).toEqual({});
  });
});

describe('account form <-> API', () => {
  it('builds the POST /account body', () => {
    const input = accountInputFromForm({
      ...valid,
      tls: 'tls',
      user: ' me ',
      password: 'pw',
      limit_per_minute: '10',
      limit_per_day: '',
      limit_behavior: 'error',
      fallbacks: 'b1,  b2',
      weight: '3',
    });
    expect(input).toMatchObject({
      id: 'primary',
      host: 'smtp.example.com',
      port: 587,
      user: 'me',
      password: 'pw',
      use_tls: true,
      limit_per_minute: 10,
      limit_per_day: null,
      limit_behavior: 'error',
      fallbacks: ['b1', 'b2'],
      weight: 3,
    });
    expect(accountInputFromForm({ ...valid, tls: 'starttls' }).use_tls).toBe(false);
    expect(accountInputFromForm({ ...valid, tls: 'auto' }).use_tls).toBeNull();
  });

  it('round-trips an account and keeps the fields the form does not show', () => {
    const account = accountView('a', {
      host: 'h',
      port: 465,
      user: 'u',
      use_tls: null,
      limit_per_minute: 5,
      limit_per_hour: null,
      limit_per_day: 1000,
      limit_behavior: 'defer' as const,
      fallbacks: ['b'],
      weight: null,
      ttl: 600,
      timeout: 20,
      max_connections: 4,
    });
    const form = formFromAccount(account);
    expect(form).toMatchObject({ tls: 'auto', port: '465', limit_per_minute: '5', limit_per_hour: '', fallbacks: 'b', password: '' });
    const input = accountInputFromForm({ ...form, password: 'again' }, account);
    expect(input).toMatchObject({ ttl: 600, timeout: 20, max_connections: 4, limit_per_day: 1000, password: 'again' });
  });
});
