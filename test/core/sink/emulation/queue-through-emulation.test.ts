import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../../../src/shared/api/messages.js';
import { waitFor } from '../../../support/common/wait.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** The relay's own sandbox dispatch obeys the sink's rules: the queue defers, retries and succeeds. */
describe("the relay's queue through an emulated provider", () => {
  let t: TestRelay;

  beforeAll(async () => {
    t = await startTestRelay({ delivery: { retryDelays: [1] } });
    expect((await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } })).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  const detail = async (id: string) => (await (await t.api(`/api/messages/${id}`)).json()) as MessageDetail;

  it('is greylisted on the first attempt, deferred, then retried to success once the delay passed', async () => {
    const put = await t.api('/api/emulation', { method: 'PUT', json: { rules: [{ kind: 'greylist', delay_seconds: 1, match: { recipient: '*@greylisting.test' } }] } });
    expect(put.status).toBe(200);
    const add = await t.api('/commands/add-messages', {
      method: 'POST',
      json: { messages: [{ id: 'grey-1', account_id: 'acc', from: 'app@example.com', to: 'user@greylisting.test', subject: 'greylisted', body: 'x' }] },
    });
    expect(add.status).toBe(200);
    await waitFor(async () => (await detail('grey-1')).message.state === 'sent', 'grey-1 sent after the greylist delay', 20_000);
    const d = await detail('grey-1');
    const kinds = d.timeline.map((e) => e.type);
    // the retry may come a little before the second has passed (whole-second schedule): then once more
    const steps = kinds.filter((k) => k === 'attempt' || k === 'deferred' || k === 'sent');
    expect(steps.slice(0, 2)).toEqual(['attempt', 'deferred']);
    expect(steps.slice(-2)).toEqual(['attempt', 'sent']);
    for (const deferred of d.timeline.filter((e) => e.type === 'deferred')) {
      expect(deferred.detail).toMatchObject({ code: 451, sandbox: true });
      expect(JSON.stringify(deferred.detail)).toContain('Greylisted');
    }
    const view = (await (await t.api('/api/emulation')).json()) as { counters: { matched: number; fired: number }[] };
    expect(view.counters[0].fired).toBe(steps.filter((k) => k === 'deferred').length);
    expect(view.counters[0].matched).toBe(view.counters[0].fired + 1);
  });
});
