import type { AccountInputBody, AccountView, VerifyResult } from '../../shared/api/index.js';
import { nowSec, type Clock } from '../clock.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import { notFound, RelayError } from '../errors.js';
import type { RelayBus } from '../events.js';
import { DEFAULT_TENANT, type Account, type AccountInput, type AccountsPort, type Store } from '../store/ports.js';
import { scopeOf, type Principal } from './scope.js';
import { accountServerChange, droppedSecrets, secretFate, type DroppedSecrets } from './secret-scope.js';

/** An account with the engine's live view of it (GET /api/accounts): the shared AccountView. */
export type { AccountView } from '../../shared/api/index.js';

/** An account as the API shows it, without the engine's live view: never the password, only whether one is set. */
export type PublicAccount = Omit<AccountView, 'rate' | 'in_flight' | 'backoff_until' | 'backoff_error' | 'pool_open' | 'tenant_id'> & {
  tenant_id: string;
};

export interface AccountsService {
  /**
   * genro-mail-proxy POST /account: insert or replace in the body's tenant (else the caller's); an
   * omitted password keeps the stored one unless host, port or user changed (then it is dropped, and
   * the answer says so); 404 for a tenant that is not registered
   */
  upsert(caller: Principal, input: AccountInputBody): Promise<DroppedSecrets | null>;
  /** the accounts of the tenant named (else the caller's) */
  list(caller: Principal, tenantId?: string): Promise<PublicAccount[]>;
  /** deletes the account (of the tenant named, else the caller's) and its messages; false when there was none */
  delete(caller: Principal, id: string, tenantId?: string): Promise<boolean>;
  /** every tenant's accounts with their rate windows, sends in flight and backoff */
  listWithDelivery(): Promise<AccountView[]>;
  /** connects (and authenticates) with the account's settings; 404 when unknown */
  verify(tenantId: string, id: string): Promise<VerifyResult>;
}

export interface AccountsServiceDeps {
  accounts: AccountsPort;
  /** an edit reads the stored password and writes the account in one transaction */
  store: Pick<Store, 'transaction'>;
  dispatcher: Pick<Dispatcher, 'accountStatus' | 'rateLimitState' | 'verifyAccount'>;
  /** 404 unless the tenant is registered */
  tenantMustExist: (tenantId: string) => Promise<void>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
}

const positive = (n: number | null | undefined) => (n !== null && n !== undefined && n > 0 ? n : null);

/**
 * The stored form of a classic account body, with genro-mail-proxy's defaults: limits, batch size,
 * timeout and connections only when positive; 'reject' means 'error'. `storedPassword` is kept when
 * the body omits the password (an edit need not resend it); an explicit null clears it.
 */
export function accountFromInput(
  a: AccountInputBody,
  storedPassword: string | null,
  tenantId: string = DEFAULT_TENANT,
): AccountInput & Pick<Account, 'allow_insecure_auth'> {
  if (a.fallbacks?.includes(a.id)) throw new RelayError(422, 'validation_error', 'fallbacks: an account cannot fall back to itself');
  return {
    tenant_id: tenantId,
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
    allow_insecure_auth: a.allow_insecure_auth ?? false,
  };
}

export function publicAccount(a: Account): PublicAccount {
  const { password, ...rest } = a;
  return { ...rest, password_set: password !== null && password !== '' };
}

export function createAccountsService(deps: AccountsServiceDeps): AccountsService {
  const { accounts, dispatcher } = deps;
  return {
    async upsert(caller, input) {
      const tenantId = scopeOf(caller, input.tenant_id);
      await deps.tenantMustExist(tenantId);
      const now = nowSec(deps.clock);
      const dropped = await deps.store.transaction(async (tx) => {
        const before = await tx.accounts.get(tenantId, input.id);
        const fate = secretFate({
          given: input.password !== undefined,
          stored: !!before?.password,
          serverChange: before ? accountServerChange(before, { host: input.host, port: input.port, user: input.user ?? null }) : null,
        });
        const stored = fate.kind === 'kept' ? (before?.password ?? null) : null;
        await tx.accounts.upsert(accountFromInput(input, stored, tenantId), now);
        return droppedSecrets({ password: fate });
      });
      deps.bus.emit('dispatch.wake');
      return dropped;
    },

    list: async (caller, tenantId) => (await accounts.list(scopeOf(caller, tenantId))).map(publicAccount),

    delete: (caller, id, tenantId) => accounts.delete(scopeOf(caller, tenantId), id),

    async listWithDelivery() {
      return Promise.all(
        (await accounts.list()).map(async (a) => {
          const status = dispatcher.accountStatus(a.tenant_id, a.id);
          return {
            ...publicAccount(a),
            rate: await dispatcher.rateLimitState(a.tenant_id, a.id),
            in_flight: status.in_flight,
            backoff_until: status.backoff_until,
            backoff_error: status.backoff_error,
            pool_open: status.pool_open,
          };
        }),
      );
    },

    async verify(tenantId, id) {
      if (!(await accounts.get(tenantId, id))) throw notFound('account', id);
      return dispatcher.verifyAccount(tenantId, id);
    },
  };
}
