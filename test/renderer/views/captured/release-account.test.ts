import { describe, expect, it } from 'vitest';
import { releaseAccounts, releaseDefault } from '../../../../src/renderer/src/views/captured/release-account.js';
import { account } from '../../../support/renderer/fake-relay.js';

const NOW = 1_700_000_000;

describe('the account a release offers first (#20.7)', () => {
  it('skips an account in backoff, although it comes first alphabetically', () => {
    const accounts = [account('aaa', { backoff_until: NOW + 60 }), account('bbb')];
    expect(releaseDefault(accounts, NOW)).toEqual({ kind: 'pick', id: 'bbb' });
    expect(releaseDefault([account('aaa', { backoff_until: NOW - 1 }), account('bbb')], NOW)).toEqual({ kind: 'pick', id: 'aaa' });
  });

  it('asks when every account backs off, or there is none', () => {
    expect(releaseDefault([account('aaa', { backoff_until: NOW + 60 })], NOW)).toEqual({ kind: 'ask', reason: 'all_backing_off' });
    expect(releaseDefault([], NOW)).toEqual({ kind: 'ask', reason: 'no_accounts' });
  });

  it("offers only the default tenant's accounts (a release is queued there)", () => {
    expect(releaseAccounts([account('a', { tenant_id: 'acme' }), account('b', { tenant_id: '' }), account('c')]).map((a) => a.id)).toEqual(['b', 'c']);
  });
});
