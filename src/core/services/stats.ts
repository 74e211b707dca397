import type { Stats, StatsFrame } from '../../shared/api/index.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import type { MessageState } from '../messages/types.js';
import type { Reporter } from '../report/reporter.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { CapturedPort, MessagesPort } from '../store/ports.js';

/** The relay at a glance (SSE `stats` frames, the tray). */
export type LiveStats = StatsFrame;

/** GET /api/stats */
export type StatsOverview = Stats;

export interface StatsService {
  live(): Promise<LiveStats>;
  overview(): Promise<StatsOverview>;
}

export interface StatsServiceDeps {
  messages: Pick<MessagesPort, 'countByState' | 'countByAccount'>;
  captured: Pick<CapturedPort, 'counts'>;
  settings: Pick<RuntimeSettings, 'current'>;
  dispatcher: Pick<Dispatcher, 'inFlight'>;
  reporter: Pick<Reporter, 'status'>;
}

export function createStatsService(deps: StatsServiceDeps): StatsService {
  const { messages, captured, settings, dispatcher } = deps;
  return {
    async live() {
      const s = settings.current();
      const [counts, capturedCounts] = await Promise.all([messages.countByState(), captured.counts()]);
      return { counts, captured: capturedCounts, in_flight: dispatcher.inFlight(), delivery_mode: s.delivery_mode, paused: s.paused };
    },

    async overview() {
      const [byAccount, counts, capturedCounts] = await Promise.all([messages.countByAccount(), messages.countByState(), captured.counts()]);
      const perAccount = new Map<string, { tenant_id: string; account_id: string | null; counts: Partial<Record<MessageState, number>> }>();
      for (const r of byAccount) {
        const key = JSON.stringify([r.tenant_id, r.account_id]);
        const entry = perAccount.get(key) ?? { tenant_id: r.tenant_id, account_id: r.account_id, counts: {} };
        entry.counts[r.state] = r.n;
        perAccount.set(key, entry);
      }
      const s = settings.current();
      return {
        counts,
        captured: capturedCounts,
        accounts: [...perAccount.values()],
        delivery_mode: s.delivery_mode,
        paused: s.paused,
        in_flight: dispatcher.inFlight(),
        report: deps.reporter.status(),
      };
    },
  };
}
