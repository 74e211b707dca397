import type { RelayContext } from '../context.js';

export interface RateWindowState {
  window: 'minute' | 'hour' | 'day';
  used: number;
  limit: number | null;
  /** epoch seconds when the next slot frees, null when a slot is free now */
  next_free_ts: number | null;
}

export interface VerifyResult {
  ok: boolean;
  /** connect | tls | auth | ok */
  stage: string;
  message: string;
  code?: number;
}

/** Pulls due messages from the queue and delivers them (real SMTP pools, or the sandbox sink). */
export interface Dispatcher {
  start(): void;
  /** stop claiming; wait for in-flight sends (releasing their leases after `graceMs`) */
  stop(graceMs?: number): Promise<void>;
  /** new work may be due */
  wake(): void;
  rateLimitState(accountId: string): RateWindowState[];
  verifyAccount(accountId: string): Promise<VerifyResult>;
  /** sandbox sink address, set once the sink listens */
  setSandboxTarget(target: { host: string; port: number } | null): void;
  inFlight(): number;
}

export interface DispatcherDeps {
  ctx: RelayContext;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  void deps;
  return {
    start() {},
    async stop() {},
    wake() {},
    rateLimitState: () => [],
    verifyAccount: async () => ({ ok: false, stage: 'connect', message: 'not implemented' }),
    setSandboxTarget() {},
    inFlight: () => 0,
  };
}
