import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/core/metrics/metrics.js';
import { makeContext } from '../../support/relay/context.js';
import { seriesNames } from '../../support/metrics/prom-text.js';
import { PROJECT_ROOT } from '../../support/common/paths.js';

const t = await makeContext();
const metrics = createMetrics({ messages: t.store.messages, accounts: t.store.accounts, settings: t.settings, bus: t.bus });
afterAll(async () => {
  metrics.stop();
  await t.close();
});

/** Every metric the relay declares (# TYPE) and every series it exports, histogram children included. */
async function exported(): Promise<Set<string>> {
  t.bus.emit('attempt', { message_id: 'm', account_id: 'a', outcome: 'sent', latency_seconds: 1, attempt_seconds: 0.1 });
  const text = await metrics.render();
  const names = seriesNames(text);
  for (const m of text.matchAll(/^# TYPE (\S+) /gm)) names.add(m[1]);
  return names;
}

function metricNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\b((?:gmp|nodejs|process)_[a-z0-9_]+)\b/g)].map((m) => m[1]))];
}

describe('ops files (Grafana dashboard, Prometheus alerts) against the exported series', () => {
  it('the Grafana dashboard is valid JSON and only queries series the relay exports', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'ops/grafana/genro-mail-relay.json'), 'utf8'));
    expect(dashboard.uid).toBe('genro-mail-relay');
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((x) => x.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const names = metricNames(exprs.join('\n'));
    const have = await exported();
    expect(names.filter((n) => !have.has(n))).toEqual([]);
    for (const required of ['gmp_sent_total', 'gmp_errors_total', 'gmp_deferred_total', 'gmp_rate_limited_total', 'gmp_pending_messages', 'gmp_queue_messages', 'gmp_dispatch_latency_seconds_bucket', 'gmp_sink_accepted_total', 'gmp_sink_rejected_total', 'gmp_report_syncs_total']) {
      expect(names).toContain(required);
    }
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the example alert rules only use series the relay exports', async () => {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, 'ops/prometheus/alerts.yml'), 'utf8');
    expect(text).toMatch(/^groups:/m);
    const names = metricNames(text);
    expect(names.length).toBeGreaterThan(5);
    const have = await exported();
    expect(names.filter((n) => !have.has(n))).toEqual([]);
  });
});
