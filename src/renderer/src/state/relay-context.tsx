import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { RelayApi, type Connection } from '../api/client.js';
import { EventStream, type StreamData, type StreamEventName, type StreamStatus } from '../api/event-stream.js';
import type { Settings, SettingsPatch, StatsState, TenantOverview } from '../api/types.js';
import { throttle } from '../lib/throttle.js';

export interface RelayState {
  api: RelayApi;
  events: EventStream;
  streamStatus: StreamStatus;
  stats: StatsState | null;
  settings: Settings | null;
  /** registered tenants (empty on a classic single-application relay); null until loaded */
  tenants: TenantOverview[] | null;
  /** when the live stream last confirmed the relay was there (ms); the numbers shown date from then while unreachable */
  lastLiveAt: number | null;
  refreshTenants: () => void;
  refreshStats: () => void;
  /** a local correction until the next stats frame (e.g. a mail just marked read) */
  patchStats: (change: (s: StatsState) => StatsState) => void;
  refreshSettings: () => Promise<void>;
  updateSettings: (patch: SettingsPatch) => Promise<Settings>;
  logout: () => void;
}

const RelayContext = createContext<RelayState | null>(null);

export function useRelay(): RelayState {
  const value = useContext(RelayContext);
  if (!value) throw new Error('useRelay outside RelayProvider');
  return value;
}

/** Subscribes to one SSE event name for the component's lifetime; the latest handler is always called. */
export function useRelayEvent<N extends StreamEventName>(name: N, handler: (data: StreamData<N>) => void): void {
  const { events } = useRelay();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => events.on(name, (d) => ref.current(d)), [events, name]);
}

export interface RelayProviderProps {
  connection: Connection;
  onUnauthorized: () => void;
  children: ReactNode;
  /** tests inject their own */
  api?: RelayApi;
  events?: EventStream;
}

/** Owns the API client, the event stream and the relay-wide state every view shows (stats, settings). */
export function RelayProvider({ connection, onUnauthorized, children, api: givenApi, events: givenEvents }: RelayProviderProps) {
  const api = useMemo(() => givenApi ?? new RelayApi(connection, onUnauthorized), [givenApi, connection, onUnauthorized]);
  const events = useMemo(() => givenEvents ?? new EventStream(api.url('/api/events'), api.eventSources()), [givenEvents, api]);
  const [streamStatus, setStreamStatus] = useState<StreamStatus>(events.status);
  const [stats, setStats] = useState<StatsState | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [tenants, setTenants] = useState<TenantOverview[] | null>(null);
  const [lastLiveAt, setLastLiveAt] = useState<number | null>(null);

  const loadTenants = useCallback(() => {
    api.tenants().then((t) => setTenants(t.items), () => {});
  }, [api]);
  const refreshTenants = useMemo(() => throttle(loadTenants, 1000), [loadTenants]);

  // merged, not replaced: the SSE frames and GET /api/stats carry different parts (captured counts, report)
  const loadStats = useCallback(() => {
    api.stats().then((fresh) => setStats((prev) => ({ ...(prev ?? {}), ...fresh })), () => {});
  }, [api]);
  const refreshStats = useMemo(() => throttle(loadStats, 1000), [loadStats]);
  const patchStats = useCallback((change: (s: StatsState) => StatsState) => setStats((prev) => (prev ? change(prev) : prev)), []);

  const refreshSettings = useCallback(async () => {
    try {
      setSettings(await api.settings());
    } catch {
      // shown as missing data; a 401 already logged out
    }
  }, [api]);

  const updateSettings = useCallback(
    async (patch: SettingsPatch) => {
      const next = await api.updateSettings(patch);
      setSettings(next);
      return next;
    },
    [api],
  );

  useEffect(() => {
    const offStatus = events.onStatus((st) => {
      setStreamStatus(st);
      if (st === 'live') setLastLiveAt(Date.now());
    });
    const offs = [
      events.on('tenants', () => refreshTenants()),
      events.on('report', () => refreshTenants()),
      events.on('stats', (d) => setStats((prev) => ({ ...prev, ...d }))),
      events.on('messages', () => refreshStats()),
      events.on('captured', () => refreshStats()),
      events.on('report', () => refreshStats()),
      events.on('settings', (d) => setSettings((prev) => (prev ? { ...prev, ...d } : prev))),
      events.on('resync', () => {
        loadStats();
        loadTenants();
        void refreshSettings();
      }),
    ];
    events.start();
    loadStats();
    loadTenants();
    void refreshSettings();
    return () => {
      offStatus();
      for (const off of offs) off();
      refreshStats.cancel();
      refreshTenants.cancel();
      events.stop();
    };
  }, [events, loadStats, refreshStats, refreshSettings, loadTenants, refreshTenants]);

  const value = useMemo<RelayState>(
    () => ({
      api,
      events,
      streamStatus,
      stats,
      settings,
      tenants,
      lastLiveAt,
      refreshTenants,
      refreshStats,
      patchStats,
      refreshSettings,
      updateSettings,
      logout: onUnauthorized,
    }),
    [api, events, streamStatus, stats, settings, tenants, lastLiveAt, refreshTenants, refreshStats, patchStats, refreshSettings, updateSettings, onUnauthorized],
  );
  return <RelayContext.Provider value={value}>{children}</RelayContext.Provider>;
}
