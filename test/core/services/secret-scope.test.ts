import { describe, expect, it } from 'vitest';
import { accountServerChange, droppedSecrets, originChange, originOf, secretFate } from '../../../src/core/services/secret-scope.js';

describe('secretFate', () => {
  it('a secret given wins; nothing stored is nothing to drop; same server keeps; another server drops', () => {
    expect(secretFate({ given: true, stored: true, serverChange: 'host changed' })).toEqual({ kind: 'given' });
    expect(secretFate({ given: false, stored: false, serverChange: 'host changed' })).toEqual({ kind: 'none' });
    expect(secretFate({ given: false, stored: true, serverChange: null })).toEqual({ kind: 'kept' });
    expect(secretFate({ given: false, stored: true, serverChange: 'host changed' })).toEqual({ kind: 'dropped', reason: 'host changed' });
  });
});

describe('accountServerChange', () => {
  const a = { host: 'smtp.example.com', port: 587, user: 'me' };
  it('names what changed among host, port and user', () => {
    expect(accountServerChange(a, { ...a })).toBeNull();
    expect(accountServerChange(a, { ...a, host: ' SMTP.Example.com ' })).toBeNull();
    expect(accountServerChange(a, { ...a, host: 'other.example.com', port: 465 })).toBe('host, port changed');
    expect(accountServerChange(a, { ...a, user: null })).toBe('user changed');
  });
});

describe('originChange', () => {
  it('is null for the same scheme, host and port, whatever the path', () => {
    expect(originOf('HTTPS://App.Example:443/a?b')).toBe('https://app.example');
    expect(originChange('https://app.example/sync', 'https://app.example:443/other/path')).toBeNull();
    expect(originChange('http://user:pw@127.0.0.1:8080/a', 'http://127.0.0.1:8080/b')).toBeNull();
  });

  it('names a change of scheme, host or port, and a removed URL', () => {
    expect(originChange('https://app.example/sync', 'http://app.example/sync')).toMatch(/origin changed from https:\/\/app\.example to http:\/\/app\.example/);
    expect(originChange('https://app.example/sync', 'https://evil.example/sync')).toMatch(/evil\.example/);
    expect(originChange('http://127.0.0.1:8080/sync', 'http://127.0.0.1:8081/sync')).toMatch(/8081/);
    expect(originChange('https://app.example/sync', null)).toBe('URL removed');
  });

  it('a first URL is not a change: the secret had no server yet', () => {
    expect(originChange(null, 'https://app.example/sync')).toBeNull();
  });
});

describe('droppedSecrets', () => {
  it('says which secrets an edit dropped and why, or null', () => {
    expect(droppedSecrets({ password: { kind: 'kept' } })).toBeNull();
    expect(droppedSecrets({ a: { kind: 'dropped', reason: 'host changed' }, b: { kind: 'given' }, c: { kind: 'dropped', reason: 'host changed' } })).toEqual({
      secrets_dropped: ['a', 'c'],
      message: 'stored a and c dropped (host changed): send it again in the same request to keep using it',
    });
  });
});
