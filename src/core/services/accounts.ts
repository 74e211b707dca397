import type { AccountInputBody, AccountView, VerifyResult } from '../../shared/api/index.js';
import { nowSec, type Clock } from '../clock.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import { notFound, RelayError } from '../errors.js';
import type { RelayBus } from '../events.js';
import type { Account, AccountInput, AccountsPort, Store } from '../store/ports.js';

/** An account with the engine's live view of it (GET /api/accounts): the shared AccountView. */
export type { AccountView } from '../../shared/api/index.js';

/** An account as the API shows it, without the engine's live view: never the password, only whether one is set. */
export type PublicAccount = Omit<AccountView, 'rate' | 'in_flight' | 'backoff_until' | 'backoff_error' | 'pool_open'>;

export interface AccountsService {
  /** genro-mail-proxy POST /account: insert or replace; an omitted password keeps the stored one */
  upsert(input: AccountInputBody): Promise<void>;
  list(): Promise<PublicAccount[]>;
  /** deletes the account and its messages; false when there was none */
  delete(id: string): Promise<boolean>;
  /** every account with its rate windows, sends in flight and backoff */
  listWithDelivery(): Promise<AccountView[]>;
  /** connects (and authenticates) with the account's settings; 404 when unknown */
  verify(id: string): Promise<VerifyResult>;
}

export interface AccountsServiceDeps {
  accounts: AccountsPort;
  /** an edit reads the stored password and writes the account in one transaction */
  store: Pick<Store, 'transaction'>;
  dispatcher: Pick<Dispatcher, 'accountStatus' | 'rateLimitState' | 'verifyAccount'>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
}

const positive = (n: number | null | undefined) => (n !== null && n !== undefined && n > 0 ? n : null);

/**
 * The stored form of a classic account body, with genro-mail-proxy's defaults: limits, batch size,
 * timeout and connections only when positive; 'reject' means 'error'. `storedPassword` is kept when
 * the body omits the password (an edit need not resend it); an explicit null clears it.
 */
export function accountFromInput(a: AccountInputBody, storedPassword: string | null): AccountInput {
  if (a.fallbacks?.includes(a.id)) throw new RelayError(422, 'validation_error', 'fallbacks: an account cannot fall back to itself');
  return {
    id: a.id,
    host: a.host,
    port: a.port,
    user: a.user ?? null,
    password: a.password === undefined ? storedPassword : a.password,
    ttl: a.ttl ?? 300,
    limit_per_minute: positive(a.limit_per_minute),
    limit_per_hour: positive(a.limit_per_hour),
    limit_per_day: positive(a.limit_per_day),
    limit_behavior: a.limit_behavior === 'error' || a.limit_behavior === 'reject' ? 'error' : 'defer',
    use_tls: a.use_tls ?? null,
    batch_size: positive(a.batch_size),
    timeout: positive(a.timeout),
    max_connections: positive(a.max_connections),
    fallbacks: a.fallbacks?.length ? a.fallbacks : null,
    weight: a.weight ?? null,
  };
}

export function publicAccount(a: Account): PublicAccount {
  const { password, ...rest } = a;
  return { ...rest, password_set: password !== null && password !== '' };
}

export function createAccountsService(deps: AccountsServiceDeps): AccountsService {
  const { accounts, dispatcher } = deps;
  return {
    async upsert(input) {
      const now = nowSec(deps.clock);
      await deps.store.transaction(async (tx) => {
        const stored = input.password === undefined ? ((await tx.accounts.get(input.id))?.password ?? null) : null;
        await tx.accounts.upsert(accountFromInput(input, stored), now);
      });
      deps.bus.emit('dispatch.wake');
    },

    list: async () => (await accounts.list()).map(publicAccount),

    delete: (id) => accounts.delete(id),

    async listWithDelivery() {
      return Promise.all(
        (await accounts.list()).map(async (a) => {
          const status = dispatcher.accountStatus(a.id);
          return {
            ...publicAccount(a),
            rate: await dispatcher.rateLimitState(a.id),
            in_flight: status.in_flight,
            backoff_until: status.backoff_until,
            backoff_error: status.backoff_error,
            pool_open: status.pool_open,
          };
        }),
      );
    },

    async verify(id) {
      if (!(await accounts.get(id))) throw notFound('account', id);
      return dispatcher.verifyAccount(id);
    },
  };
}
