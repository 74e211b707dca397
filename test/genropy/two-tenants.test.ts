import { afterEach, describe, expect, it } from 'vitest';
import { syncStatusAnswer, type TenantSyncStatus } from '../../src/shared/api/tenants.js';
import { AUTH_ERROR_TEXT } from '../support/genropy/index.js';
import { startGenropySession, type GenropySession } from '../support/genropy/relay-session.js';

let s: GenropySession | null = null;
afterEach(async () => {
  await s?.stop();
  s = null;
});

/** Genropy's 22-character ids: both applications number their rows alike */
const SAME_ID = 'AAAAAAAAAAAAAAAAAAAA01';

describe('two Genropy applications on one relay', () => {
  it('keeps tokens, message and account ids, reports and failures apart', async () => {
    s = await startGenropySession();
    const { f } = s;
    const [a, b] = [await s.app('alpha'), await s.app('beta')];
    for (const app of [a, b]) expect(await app.register()).toMatchObject({ ok: true, synced: 1 });
    expect(a.client.tenantToken).not.toBe(b.client.tenantToken);

    // the same message id and account id in both tenants, each through its own account and application
    await a.queueMail({ id: SAME_ID, account_id: 'acc', to: 'x@example.org', subject: 'from alpha' });
    await b.queueMail({ id: SAME_ID, account_id: 'acc', to: 'y@example.org', subject: 'from beta' });
    await a.waitFor(() => a.outbox.get(SAME_ID)?.status === 'sent' && b.outbox.get(SAME_ID)?.status === 'sent', { what: 'both sent and reported' });
    expect(s.smtp.messages.map((m) => m.from).sort()).toEqual(['noreply@alpha.example.org', 'noreply@beta.example.org']);
    for (const app of [a, b]) {
      const reported = app.log.find('in', '/proxy_sync').flatMap((e) => (e.request.json as { delivery_report: { id: string }[] }).delivery_report);
      expect(reported.map((r) => r.id)).toEqual([SAME_ID]);
    }
    // one tenant's token cannot read the other's messages
    const foreign = await fetch(`${f.t.url}/messages?tenant_id=beta`, { headers: { 'X-API-Token': a.client.tenantToken! } });
    expect(foreign.status).toBe(401);

    // alpha's application refuses the relay's login (200 with an error text): its report stays pending,
    // while beta's mail is pushed, sent and reported as usual
    const late = await a.queueMail({ account_id: 'acc', to: 'z@example.org', subject: 'late alpha', deferred_ts: a.nowSec() + 100 });
    await a.waitFor(() => a.outbox.get(late)?.status === 'at_proxy', { what: 'alpha pushed its deferred mail' });
    a.faults.refuseAuth.sync = true;
    f.advance(101);
    await a.waitFor(async () => (await s!.relayMessage('alpha', late))?.state === 'sent', { what: "alpha's mail sent" });
    const fromBeta = await b.queueMail({ account_id: 'acc', to: 'w@example.org', subject: 'beta goes on' });
    await b.waitFor(() => b.outbox.get(fromBeta)?.status === 'sent', { what: "beta's mail sent and reported while alpha refuses" });

    const status = await f.t.api('/tenants/sync-status');
    const rows = syncStatusAnswer.parse(await status.json()).tenants;
    const row = (id: string) => rows.find((r) => r.id === id) as TenantSyncStatus;
    expect(row('alpha')).toMatchObject({ last_error: `HTTP 200 with error: ${AUTH_ERROR_TEXT}`, pending_reports: 1 });
    expect(row('alpha').consecutive_failures).toBeGreaterThanOrEqual(1);
    expect(row('beta')).toMatchObject({ pending_reports: 0, consecutive_failures: 0, next_sync_due: false });
    expect(row('beta').last_error).toBeUndefined();
    expect(a.outbox.get(late)?.status).toBe('at_proxy');
    expect((await s.relayMessage('alpha', late))?.state).toBe('sent');

    // alpha's login works again: the retry delivers the report
    a.faults.refuseAuth.sync = false;
    await a.waitFor(() => a.outbox.get(late)?.status === 'sent', { what: "alpha's report delivered on retry", timeoutMs: 20_000 });
    // the application saw the report before the relay read its answer: wait for the relay's side too
    await a.waitFor(() => f.t.relay.reporter.tenantReport('alpha')?.state === 'ok', { what: "alpha's report state ok" });
    expect(f.t.relay.reporter.tenantReport('alpha')).toMatchObject({ state: 'ok', last_error: null, pending: 0 });
  }, 120_000);
});
