import type { RelayConfig } from '../config/types.js';
import type { DeliveryReportItem } from '../store/ports.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { SyncFailure, type SyncAnswer, type SyncTarget } from '../report/sync-client.js';
import type { DefaultReportSender } from '../report/reporter.js';
import { PullFailure, postPullReport, pullUrl, type PullTarget } from './pull-client.js';
import { pullReport } from './pull-decisions.js';

/** The application of pull mode: `[client] fetch_url` with the `[client]` credentials; null when paused or unset. */
export function pullTarget(config: Pick<RelayConfig, 'client'>, settings: Pick<RuntimeSettings, 'current'>): PullTarget | null {
  const s = settings.current();
  if (!config.client.fetchUrl || s.paused) return null;
  return { baseUrl: config.client.fetchUrl, user: s.client_sync_user, password: s.client_sync_password, token: s.client_sync_token };
}

const ACK: Omit<SyncAnswer, 'status'> = { json: true, queued: 0, nextSyncAfterSeconds: null, errorIds: [], notFoundIds: [], errorText: null };

/**
 * The default tenant's reports in pull mode: each final outcome POSTed to `<fetch_url>/delivery-report`
 * in order; the first refusal stops the batch, and the whole batch is reported again later (at least once).
 */
export function pullReportSender(config: Pick<RelayConfig, 'client'>, settings: Pick<RuntimeSettings, 'current'>): DefaultReportSender {
  return {
    url: pullUrl({ baseUrl: config.client.fetchUrl ?? '', user: null, password: null, token: null }, 'delivery-report'),
    target(): SyncTarget | null {
      const t = pullTarget(config, settings);
      return t && { url: t.baseUrl, user: t.user, password: t.password, token: t.token };
    },
    async post(target: SyncTarget, items: DeliveryReportItem[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<SyncAnswer> {
      const dest: PullTarget = { baseUrl: target.url, user: target.user, password: target.password, token: target.token };
      for (const item of items) {
        const report = pullReport(item);
        if (!report) continue;
        try {
          await postPullReport(dest, report, opts);
        } catch (err) {
          if (err instanceof PullFailure) throw new SyncFailure(err.message, err.status);
          throw err;
        }
      }
      return { status: 200, ...ACK };
    },
  };
}
