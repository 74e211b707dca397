import type { RelayContext } from '../context.js';
import type { ReportOutcome } from '../events.js';

/** The proxy_sync loop: reports final outcomes to the application and applies retention. */
export interface Reporter {
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  lastResult(): ReportOutcome | null;
}

export function createReporter(deps: { ctx: RelayContext }): Reporter {
  void deps;
  return { start() {}, async stop() {}, wake() {}, lastResult: () => null };
}
