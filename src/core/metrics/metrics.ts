import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AttemptOutcome, CapturedAnnouncement, RelayBus, ReportOutcome } from '../events.js';
import { MESSAGE_STATES, type MessageState } from '../messages/types.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { AccountsPort, MessagesPort } from '../store/ports.js';
import { QueueCounts } from './queue-counts.js';

/** Prometheus metrics, fed by the bus and read from the store. */
export interface Metrics {
  contentType: string;
  render(): Promise<string>;
  stop(): void;
}

export interface MetricsDeps {
  messages: Pick<MessagesPort, 'countByState' | 'countUnreported'>;
  accounts: Pick<AccountsPort, 'list'>;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'on' | 'off'>;
  /** how long queue counts are reused between scrapes */
  countsTtlMs?: number;
}

/** genro-mail-proxy labels messages without an account this way. */
const NO_ACCOUNT = 'default';

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 7200, 21600, 86400];
const ATTEMPT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const ATTEMPT_OUTCOMES: AttemptOutcome['outcome'][] = ['sent', 'temporary', 'permanent', 'rate_limited', 'build_error'];

/**
 * The original's series (gmp_sent_total, gmp_errors_total, gmp_deferred_total,
 * gmp_rate_limited_total by account_id; gmp_pending_messages) plus the relay's own, in a registry of
 * their own. Counters start at zero at every start; gauges are computed at scrape time.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const { bus, settings, messages, accounts } = deps;
  const registry = new Registry();
  const registers = [registry];
  const counts = new QueueCounts(() => messages.countByState(), deps.countsTtlMs ?? 2000);
  const unreported = new QueueCounts(() => messages.countUnreported(), deps.countsTtlMs ?? 2000);

  const sent = new Counter({ name: 'gmp_sent_total', help: 'Messages accepted by the SMTP server (or the sandbox sink).', labelNames: ['account_id'], registers });
  const errors = new Counter({ name: 'gmp_errors_total', help: 'Messages that ended in a final error.', labelNames: ['account_id'], registers });
  const deferred = new Counter({ name: 'gmp_deferred_total', help: 'Attempts that ended in a deferral (retry backoff or rate limit).', labelNames: ['account_id'], registers });
  const rateLimited = new Counter({ name: 'gmp_rate_limited_total', help: 'Attempts held back by an account rate limit.', labelNames: ['account_id'], registers });
  const byAccount = [sent, errors, deferred, rateLimited];

  new Gauge({
    name: 'gmp_pending_messages',
    help: 'Messages waiting for delivery (queued, deferred or being sent).',
    registers,
    async collect() {
      const c = await counts.get();
      this.set(c.queued + c.deferred + c.sending);
    },
  });
  new Gauge({
    name: 'gmp_queue_messages',
    help: 'Messages in the queue by state.',
    labelNames: ['state'],
    registers,
    async collect() {
      const c = await counts.get();
      for (const state of MESSAGE_STATES) this.set({ state }, c[state as MessageState]);
    },
  });
  // the outcome stays in gmp_queue_messages once reported; this says how many the application still waits for
  new Gauge({
    name: 'gmp_report_pending_messages',
    help: 'Final outcomes (sent or error) not yet acknowledged by the application.',
    registers,
    async collect() {
      this.set(await unreported.get());
    },
  });

  const attempts = new Counter({ name: 'gmp_attempts_total', help: 'Delivery attempts by outcome.', labelNames: ['outcome'], registers });
  for (const outcome of ATTEMPT_OUTCOMES) attempts.labels(outcome).inc(0);
  const latency = new Histogram({
    name: 'gmp_dispatch_latency_seconds',
    help: 'Seconds from enqueue to the final outcome, by outcome.',
    labelNames: ['outcome'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const attemptDuration = new Histogram({
    name: 'gmp_smtp_attempt_seconds',
    help: 'Duration of one SMTP attempt.',
    buckets: ATTEMPT_BUCKETS,
    registers,
  });

  const sinkAccepted = new Counter({ name: 'gmp_sink_accepted_total', help: 'Messages captured by the sandbox sink.', registers });
  const sinkBytes = new Counter({ name: 'gmp_sink_accepted_bytes_total', help: 'Bytes captured by the sandbox sink.', registers });
  const sinkRejected = new Counter({ name: 'gmp_sink_rejected_total', help: 'Messages or connections refused by the sandbox sink.', registers });

  const reportSyncs = new Counter({ name: 'gmp_report_syncs_total', help: 'proxy_sync calls to the application by result.', labelNames: ['result'], registers });
  reportSyncs.labels('success').inc(0);
  reportSyncs.labels('failure').inc(0);
  const reportFailures = new Counter({ name: 'gmp_report_failures_total', help: 'proxy_sync calls that were not acknowledged (non-2xx, timeout, connection error).', registers });
  const reported = new Counter({ name: 'gmp_reported_messages_total', help: 'Final outcomes acknowledged by the application.', registers });
  let lastReportSuccess = 0;
  let consecutiveFailures = 0;
  new Gauge({
    name: 'gmp_report_last_success_timestamp_seconds',
    help: 'When the application last acknowledged a sync (0: not since start).',
    registers,
    collect() {
      this.set(lastReportSuccess);
    },
  });
  new Gauge({
    name: 'gmp_report_consecutive_failures',
    help: 'proxy_sync failures since the last acknowledged sync.',
    registers,
    collect() {
      this.set(consecutiveFailures);
    },
  });
  new Gauge({
    name: 'gmp_paused',
    help: '1 while dispatch and reporting are suspended.',
    registers,
    collect() {
      this.set(settings.current().paused ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gmp_sandbox_mode',
    help: '1 in sandbox delivery mode, 0 in real delivery mode.',
    registers,
    collect() {
      this.set(settings.current().delivery_mode === 'sandbox' ? 1 : 0);
    },
  });

  // the event-loop lag monitor samples on a libuv timer: at prom-client's default 10 ms it keeps an idle
  // relay waking 100 times a second, so sample once a second instead
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });

  // Per-account series exist at zero for every configured account (so rate() works from the first
  // event); the account list is re-read only after the store announced a change.
  let accountsChanged = true;
  const onAccounts = () => {
    accountsChanged = true;
  };
  async function initAccountSeries(): Promise<void> {
    if (!accountsChanged) return;
    accountsChanged = false;
    try {
      for (const a of await accounts.list()) for (const c of byAccount) c.labels(a.id).inc(0);
    } catch (err) {
      accountsChanged = true;
      throw err;
    }
  }

  const onAttempt = (ev: AttemptOutcome) => {
    const account = ev.account_id ?? NO_ACCOUNT;
    attempts.labels(ev.outcome).inc();
    if (ev.attempt_seconds !== undefined && ev.attempt_seconds >= 0) attemptDuration.observe(ev.attempt_seconds);
    if (ev.outcome === 'sent') {
      sent.labels(account).inc();
    } else if (ev.deferred) {
      deferred.labels(account).inc();
    } else {
      errors.labels(account).inc();
    }
    if (ev.outcome === 'rate_limited') rateLimited.labels(account).inc();
    const final = ev.outcome === 'sent' || !ev.deferred;
    if (final && ev.latency_seconds !== undefined && ev.latency_seconds >= 0) {
      latency.labels(ev.outcome === 'sent' ? 'sent' : 'error').observe(ev.latency_seconds);
    }
  };
  const onCaptured = (ev: CapturedAnnouncement) => {
    sinkAccepted.inc();
    if (ev.size > 0) sinkBytes.inc(ev.size);
  };
  const onSinkRejected = () => sinkRejected.inc();
  const onReport = (ev: ReportOutcome) => {
    if (ev.ok) {
      reportSyncs.labels('success').inc();
      reported.inc(ev.sent);
      lastReportSuccess = ev.ts;
      consecutiveFailures = 0;
    } else {
      reportSyncs.labels('failure').inc();
      reportFailures.inc();
      consecutiveFailures++;
    }
  };
  bus.on('attempt', onAttempt);
  bus.on('captured', onCaptured);
  bus.on('sink.rejected', onSinkRejected);
  bus.on('report', onReport);
  bus.on('accounts', onAccounts);

  return {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    async render() {
      await initAccountSeries();
      return registry.metrics();
    },
    stop() {
      bus.off('attempt', onAttempt);
      bus.off('captured', onCaptured);
      bus.off('sink.rejected', onSinkRejected);
      bus.off('report', onReport);
      bus.off('accounts', onAccounts);
      registry.clear();
    },
  };
}
