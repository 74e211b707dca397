import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';
import { SmtpWire } from '../../support/smtp/smtp-wire.js';

describe('sandbox SMTP sink: recipients per transaction (#17.6)', () => {
  let t: TestRelay;
  const rejections: string[] = [];
  beforeAll(async () => {
    t = await startTestRelay({ sink: { maxRecipients: 3 } });
    t.relay.ctx.bus.on('sink.rejected', (r) => rejections.push(r.reason));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers 452 to RCPT TO beyond [sandbox] max_recipients and captures the mail to the ones accepted', async () => {
    const { wire } = await SmtpWire.connect(t.relay.addresses().smtp.port);
    await wire.cmd('EHLO client.test');
    expect((await wire.cmd('MAIL FROM:<a@example.com>'))!.code).toBe(250);
    const codes: number[] = [];
    for (let i = 1; i <= 5; i++) codes.push((await wire.cmd(`RCPT TO:<r${i}@example.com>`))!.code);
    expect(codes).toEqual([250, 250, 250, 452, 452]);
    expect(rejections).toContain('too_many_recipients');
    expect((await wire.cmd('DATA'))!.code).toBe(354);
    const done = await wire.cmd('Subject: capped\r\n\r\nbody\r\n.');
    expect(done!.code).toBe(250);
    const id = Number(/captured as (\d+)/.exec(done!.text)![1]);
    expect((await t.relay.store.captured.get(id))!.rcpt_to).toEqual(['r1@example.com', 'r2@example.com', 'r3@example.com']);
    await wire.quit();
  });
});
