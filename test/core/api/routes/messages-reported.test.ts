import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { sample } from '../../../support/metrics/prom-text.js';
import { FakeUpstream } from '../../../support/report/upstream.js';
import { startSmtpTarget, type SmtpTarget } from '../../../support/smtp/smtp-target.js';
import { waitFor } from '../../../support/common/wait.js';

/** #20.1: a failure stays a failure once the application was told of it; the report is a fact of its own. */

let smtp: SmtpTarget | null = null;
let upstream: FakeUpstream | null = null;
let relay: TestRelay | null = null;
afterEach(async () => {
  await relay?.stop();
  await upstream?.stop();
  await smtp?.close();
  relay = upstream = smtp = null;
});

interface Row {
  id: string;
  state: string;
  error: string | null;
  reported_ts: number | null;
}

async function setup() {
  // refuses mail to rejected@… with 550, accepts the rest
  smtp = await startSmtpTarget({ rcpt: (a) => (a.startsWith('rejected@') ? { code: 550, message: '5.1.1 mailbox unavailable' } : null) });
  upstream = await new FakeUpstream().start();
  relay = await startTestRelay({ deliveryMode: 'real', client: { url: upstream.url, token: 'app' } });
  const r = relay;
  const account = { host: '127.0.0.1', port: smtp.port, use_tls: false };
  expect((await r.api('/account', { method: 'POST', json: { id: 'smtp', ...account } })).status).toBe(200);
  // one message a minute, the next one fails at once (limit_behavior "error")
  expect((await r.api('/account', { method: 'POST', json: { id: 'strict', ...account, limit_per_minute: 1, limit_behavior: 'error' } })).status).toBe(200);
  const base = { from: 'app@example.com', subject: 'hi', body: 'hello' };
  const added = await r.api('/commands/add-messages', {
    method: 'POST',
    json: {
      messages: [
        { ...base, id: 'ok', account_id: 'smtp', to: ['ok@example.com'] },
        { ...base, id: 'refused', account_id: 'smtp', to: ['rejected@example.com'] },
        { ...base, id: 'first', account_id: 'strict', to: ['a@example.com'] },
        { ...base, id: 'over-limit', account_id: 'strict', to: ['b@example.com'] },
      ],
    },
  });
  expect(await added.json()).toMatchObject({ ok: true, queued: 4 });
  await waitFor(() => new Set(upstream!.reportedIds()).size === 4, 'every outcome reported', 20_000);
  const list = async (qs: string) => ((await (await r.api(`/api/messages?${qs}`)).json()) as { items: Row[] }).items;
  await waitFor(async () => (await list('reported=false&limit=10')).length === 0, 'every outcome marked reported');
  return { r, list };
}

describe('/api/messages: outcome and report apart (#20.1)', () => {
  it('lists reported failures under state=error with their text, filters by reported, and counts them as errors', async () => {
    const { r, list } = await setup();
    const errors = await list('state=error');
    expect(errors.map((m) => m.id).sort()).toEqual(['over-limit', 'refused']);
    const byId = Object.fromEntries(errors.map((m) => [m.id, m]));
    expect(byId.refused).toMatchObject({ state: 'error', reported_ts: expect.any(Number) });
    expect(byId.refused.error).toContain('550');
    expect(byId['over-limit']).toMatchObject({ state: 'error', error: "Rate limit exceeded: 1 per minute for account 'strict'", reported_ts: expect.any(Number) });
    expect((await list('state=error&reported=true')).map((m) => m.id).sort()).toEqual(['over-limit', 'refused']);
    expect(await list('state=error&reported=false')).toEqual([]);
    expect((await list('state=sent&reported=true')).map((m) => m.id).sort()).toEqual(['first', 'ok']);

    const stats = (await (await r.api('/api/stats')).json()) as { counts: Record<string, number> };
    expect(stats.counts).toEqual({ queued: 0, deferred: 0, sending: 0, sent: 2, error: 2 });
    const metrics = await (await r.api('/metrics')).text();
    expect(sample(metrics, 'gmp_queue_messages', { state: 'error' })).toBe(2);
    expect(sample(metrics, 'gmp_queue_messages', { state: 'sent' })).toBe(2);
    expect(sample(metrics, 'gmp_report_pending_messages')).toBe(0);

    // genro-mail-proxy's list answers as before: a reported message shows `reported`, with its timestamps
    const classic = (await (await r.api('/messages')).json()) as { messages: { id: string; state: string; error?: string; reported_ts?: number }[] };
    const refused = classic.messages.find((m) => m.id === 'refused');
    expect(refused).toMatchObject({ state: 'reported', reported_ts: expect.any(Number) });
    expect(refused?.error).toContain('550');
  });

  it('refuses a reported filter that is not true or false, naming it', async () => {
    relay = await startTestRelay();
    for (const value of ['yes', '1', 'reported', '']) {
      const res = await relay.api(`/api/messages?reported=${value}`);
      expect(res.status, value).toBe(422);
      const body = (await res.json()) as { error: { code: string; fields: { field: string }[] } };
      expect(body.error.code).toBe('validation_error');
      expect(body.error.fields[0].field).toBe('reported');
    }
    // `reported` is no state any more
    expect((await relay.api('/api/messages?state=reported')).status).toBe(422);
  });

  it('retries a reported failure: a new attempt whose outcome is reported again', async () => {
    const { r, list } = await setup();
    const before = upstream!.reportedIds().filter((id) => id === 'refused').length;
    const res = await r.api('/api/messages/refused/retry', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, message: { id: 'refused', state: 'queued', error: null, reported_ts: null } });
    await waitFor(() => upstream!.reportedIds().filter((id) => id === 'refused').length === before + 1, 'the new outcome reported', 20_000);
    const again = upstream!.calls.flatMap((c) => c.items).filter((i) => i.id === 'refused').at(-1)!;
    expect(String(again.error)).toContain('550');
    await waitFor(async () => (await list('state=error&reported=true')).some((m) => m.id === 'refused'), 'marked reported again');
    const detail = (await (await r.api('/api/messages/refused')).json()) as { message: Row & { attempts: number }; timeline: { type: string; state: string }[] };
    expect(detail.message).toMatchObject({ state: 'error', attempts: 2 });
    expect(detail.timeline.filter((e) => ['error', 'reported', 'retry'].includes(e.type)).map((e) => `${e.type}:${e.state}`)).toEqual([
      'error:error',
      'reported:error',
      'retry:queued',
      'error:error',
      'reported:error',
    ]);
    // a delivered message, reported or not, is not retried
    expect((await r.api('/api/messages/ok/retry', { method: 'POST' })).status).toBe(409);
  });
});
