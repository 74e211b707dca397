import { afterEach, describe, expect, it } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import { createReporter, type Reporter, type ReporterTiming } from '../../../src/core/report/reporter.js';
import { reportStatus } from '../../../src/shared/api/stats.js';
import { waitFor } from '../../support/common/wait.js';
import { makeContext, type TestContext } from '../../support/relay/context.js';
import { addFinal, isReported, stateOf } from '../../support/report/final-messages.js';
import { reporterDeps } from '../../support/report/reporter-deps.js';
import { basicHeader, registerTenant, tenantConfig } from '../../support/report/tenant-upstreams.js';
import { FakeUpstream } from '../../support/report/upstream.js';

const FAST: Partial<ReporterTiming> = { backoffBaseMs: 40, backoffCapMs: 200, wakeDebounceMs: 5, minEmptySyncSpacingMs: 50, retentionInitialDelayMs: 60_000 };

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(opts: { timing?: Partial<ReporterTiming>; timeoutMs?: number } = {}) {
  const t: TestContext = await makeContext({ config: { client: { batchSize: 1000, timeoutMs: opts.timeoutMs ?? 5000 } }, settings: { client_sync_url: null } });
  const reporter: Reporter = createReporter({ ...reporterDeps(t), tenants: t.store.tenants, timing: { ...FAST, ...opts.timing } });
  const upstreams: FakeUpstream[] = [];
  cleanups.push(async () => {
    await reporter.stop();
    for (const u of upstreams) await u.stop();
    await t.close();
  });
  const upstream = async () => {
    const u = await new FakeUpstream().start();
    upstreams.push(u);
    return u;
  };
  const now = () => nowSec(t.clock);
  const loop = (id: string) => reporter.status().tenants?.find((s) => s.id === id) ?? null;
  return { ...t, reporter, upstream, now, loop };
}

describe('a report loop per tenant', () => {
  it("reports each tenant's outcomes to its own URL with its own credentials, the same message id kept apart", async () => {
    const s = await setup();
    const [a, b] = [await s.upstream(), await s.upstream()];
    await registerTenant(s, 'alpha', tenantConfig(a, { method: 'basic', user: 'mailproxy', password: 'pw-alpha' }), s.now());
    await registerTenant(s, 'beta', tenantConfig(b, { method: 'bearer', token: 'tok-beta' }), s.now());
    await addFinal(s, ['same'], { state: 'sent', ts: s.now(), tenant: 'alpha' });
    await addFinal(s, ['same'], { state: 'error', ts: s.now(), tenant: 'beta', error: '550 no such user' });
    await addFinal(s, ['classic'], { state: 'sent', ts: s.now() });
    s.reporter.start();

    await waitFor(async () => (await isReported(s, 'same', 'alpha')) && (await isReported(s, 'same', 'beta')), 'both reported');
    expect(a.calls.find((c) => c.ids.length)).toMatchObject({ authorization: basicHeader('mailproxy', 'pw-alpha'), items: [expect.objectContaining({ id: 'same', sent_ts: s.now() })] });
    expect(b.calls.find((c) => c.ids.length)).toMatchObject({ authorization: 'Bearer tok-beta', items: [expect.objectContaining({ id: 'same', error: '550 no such user' })] });
    // the default tenant has no application configured: its outcome stays where it is
    expect(await stateOf(s, 'classic')).toBe('sent');
    expect(reportStatus.parse(s.reporter.status()).tenants?.map((l) => [l.id, l.state, l.pending])).toEqual([
      ['alpha', 'ok', 0],
      ['beta', 'ok', 0],
    ]);
  });

  it("one tenant's hanging application never delays another's reports", async () => {
    const s = await setup({ timeoutMs: 120_000 });
    const [a, b] = [await s.upstream(), await s.upstream()];
    a.defaultReply = { hang: true };
    await registerTenant(s, 'alpha', tenantConfig(a, null), s.now());
    await registerTenant(s, 'beta', tenantConfig(b, null), s.now());
    s.reporter.start();
    await waitFor(() => a.calls.length === 1 && b.calls.length === 1, 'first syncs');
    await waitFor(() => s.loop('alpha')?.in_flight, 'alpha hanging');

    await addFinal(s, ['a1'], { state: 'sent', ts: s.now(), tenant: 'alpha' });
    await addFinal(s, ['b1', 'b2'], { state: 'sent', ts: s.now(), tenant: 'beta' });
    const woken = Date.now();
    s.reporter.wake();
    await waitFor(async () => (await isReported(s, 'b2', 'beta')), 'beta reported', 2000);
    console.log(`beta acknowledged ${Date.now() - woken} ms after the wake while alpha's sync hangs`);
    expect(s.loop('alpha')).toMatchObject({ in_flight: true, state: 'idle', last_ok_ts: null });
    expect(s.loop('beta')).toMatchObject({ in_flight: false, state: 'ok', pending: 0 });
    expect(await stateOf(s, 'a1', 'alpha')).toBe('sent');
    expect(a.calls).toHaveLength(1);
  });

  it("keeps the reports through Genropy's failed login (200 with an error text) and a non-JSON page, then delivers them", async () => {
    const s = await setup();
    const a = await s.upstream();
    a.reply(
      { status: 200, body: { error: 'Authentication failed for user mailproxy' } },
      { status: 200, contentType: 'text/plain', body: 'Not existing method proxy_sync' },
    );
    await registerTenant(s, 'alpha', tenantConfig(a, { method: 'basic', user: 'mailproxy', password: 'pw' }), s.now());
    await addFinal(s, ['k1'], { state: 'sent', ts: s.now(), tenant: 'alpha' });
    const errors: (string | null)[] = [];
    s.reporter.start();
    await waitFor(() => {
      const e = s.loop('alpha')?.last_error ?? null;
      if (e && errors.at(-1) !== e) errors.push(e);
      return errors.length >= 2;
    }, 'two refusals');
    expect(errors).toEqual(['HTTP 200 with error: Authentication failed for user mailproxy', 'HTTP 200 without a JSON object']);
    await waitFor(async () => (await isReported(s, 'k1', 'alpha')), 'reported on the third sync');
    expect(a.calls.map((c) => c.ids)).toEqual([['k1'], ['k1'], ['k1']]);
    expect(s.loop('alpha')).toMatchObject({ state: 'ok', last_error: null, consecutive_failures: 0 });
  });

  it('syncs again at once while the application answers queued > 0', async () => {
    const s = await setup({ timing: { minEmptySyncSpacingMs: 60_000 } });
    const a = await s.upstream();
    a.reply({ status: 200, body: { ok: true, queued: 5 } }, { status: 200, body: { ok: true, queued: 1 } }, { status: 200, body: { ok: true, queued: 0 } });
    await registerTenant(s, 'alpha', tenantConfig(a, null), s.now());
    s.reporter.start();
    await waitFor(() => a.calls.length >= 3, 'three syncs back to back');
    await waitFor(() => s.loop('alpha')?.in_flight === false && s.loop('alpha')?.next_due_ts !== null, 'settled');
    expect(a.calls).toHaveLength(3);
    expect(s.loop('alpha')?.next_due_ts).toBeGreaterThanOrEqual(s.now() + 290);
  });

  it("run-now syncs that tenant within a second even with nothing to report, and only that tenant's application", async () => {
    const s = await setup({ timing: { minEmptySyncSpacingMs: 1000, wakeDebounceMs: 50 } });
    const [a, b] = [await s.upstream(), await s.upstream()];
    await registerTenant(s, 'alpha', tenantConfig(a, null), s.now());
    await registerTenant(s, 'beta', tenantConfig(b, null), s.now());
    s.reporter.start();
    await waitFor(() => a.calls.length === 1 && b.calls.length === 1 && s.loop('alpha')?.state === 'ok', 'start-up syncs');
    const asked = Date.now();
    s.reporter.runNow('alpha');
    await waitFor(() => a.calls.length === 2, 'run-now sync', 1500);
    expect(Date.now() - asked).toBeLessThan(1200);
    expect(a.calls[1].ids).toEqual([]);
    s.reporter.runNow(null);
    await waitFor(() => a.calls.length === 3 && b.calls.length === 2, 'every loop synced');
    s.reporter.runNow('nobody');
    expect(b.calls).toHaveLength(2);
  });

  it('follows registration, a new password, deactivation and deletion of tenants', async () => {
    const s = await setup();
    const a = await s.upstream();
    s.reporter.start();
    expect(s.reporter.status().tenants).toEqual([]);
    await registerTenant(s, 'alpha', tenantConfig(a, { method: 'basic', user: 'mailproxy', password: 'first' }), s.now());
    await waitFor(() => a.calls.length === 1, 'a loop for the new tenant');
    expect(a.calls[0].authorization).toBe(basicHeader('mailproxy', 'first'));

    // Register again: Genropy rotates the password; the loop syncs with it at once
    await registerTenant(s, 'alpha', tenantConfig(a, { method: 'basic', user: 'mailproxy', password: 'second' }), s.now());
    await waitFor(() => a.calls.length === 2, 'a sync to the new destination');
    expect(a.calls[1].authorization).toBe(basicHeader('mailproxy', 'second'));

    // a change that does not touch the destination starts nothing
    await s.store.tenants.update('alpha', { name: 'Alpha Inc.' }, s.now());
    await s.store.tenants.update('alpha', { active: false }, s.now());
    await waitFor(() => s.reporter.status().tenants?.length === 0, 'loop stopped on deactivation');
    expect(a.calls).toHaveLength(2);
    await s.store.tenants.update('alpha', { active: true }, s.now());
    await waitFor(() => a.calls.length === 3, 'loop back on activation');
    expect(await s.store.tenants.delete('alpha')).toBe(true);
    await waitFor(() => s.reporter.status().tenants?.length === 0, 'loop stopped on deletion');
    expect(s.reporter.tenantReport('alpha')).toBeNull();
  });

  it('while the relay is paused no tenant is synced; on resume each one is', async () => {
    const s = await setup();
    const a = await s.upstream();
    await s.settings.update({ paused: true });
    await registerTenant(s, 'alpha', tenantConfig(a, null), s.now());
    await addFinal(s, ['p1'], { state: 'sent', ts: s.now(), tenant: 'alpha' });
    s.reporter.start();
    await waitFor(() => s.loop('alpha')?.state === 'paused' && s.loop('alpha')?.pending === 1, 'paused loop, one outcome waiting');
    s.reporter.runNow(null);
    s.reporter.wake();
    expect(s.loop('alpha')).toMatchObject({ next_due_ts: null, pending: 1 });
    expect(a.calls).toHaveLength(0);
    await s.settings.update({ paused: false });
    await waitFor(async () => (await isReported(s, 'p1', 'alpha')), 'reported after resume');
  });
});
