import { useCallback, useEffect, useState } from 'react';
import type { AccountView } from '../api/types.js';
import { errorMessage } from '../lib/errors.js';
import { useRelay, useRelayEvent } from './relay-context.js';

export interface AccountsState {
  accounts: AccountView[] | null;
  error: string | null;
  reload: () => Promise<void>;
}

/**
 * The account list with its live rate-limit state. `pollMs` keeps gauges current (rate windows move
 * with time, not only with events); polling pauses while the page is hidden.
 */
export function useAccounts(pollMs = 0): AccountsState {
  const { api } = useRelay();
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setAccounts(await api.accounts());
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api]);

  useEffect(() => {
    void reload();
    if (!pollMs) return;
    const t = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void reload();
    }, pollMs);
    return () => clearInterval(t);
  }, [reload, pollMs]);

  useRelayEvent('accounts', () => void reload());
  useRelayEvent('resync', () => void reload());
  return { accounts, error, reload };
}
