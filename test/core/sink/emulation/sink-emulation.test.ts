import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/clock.js';
import { emulationConfig, type EmulationConfigInput, type EmulationView } from '../../../../src/shared/api/emulation.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { SmtpWire } from '../../../support/smtp/smtp-wire.js';

/** Every rule over a real SMTP conversation with the relay's sink, the rules set through the API. */
describe('provider emulation in the sandbox sink', () => {
  let t: TestRelay;
  let port: number;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  beforeAll(async () => {
    t = await startTestRelay({}, { clock });
    port = t.relay.addresses().smtp.port;
  });
  afterAll(async () => {
    await t.stop();
  });

  async function setRules(config: EmulationConfigInput): Promise<EmulationView> {
    const res = await t.api('/api/emulation', { method: 'PUT', json: config });
    expect(res.status).toBe(200);
    return (await res.json()) as EmulationView;
  }
  beforeEach(async () => {
    await setRules({ rules: [] });
  });

  const captured = async () => (await t.relay.store.captured.counts()).total;

  /** EHLO, then each command in turn; the replies' codes (null: the connection closed) */
  async function converse(commands: string[]): Promise<(number | null)[]> {
    const { wire, greeting } = await SmtpWire.connect(port);
    const codes: (number | null)[] = [greeting?.code ?? null];
    for (const c of commands) codes.push((await wire.cmd(c))?.code ?? null);
    await wire.quit();
    return codes;
  }

  it('answers at connect: the greeting is the rule reply and the connection closes', async () => {
    await setRules({ rules: [{ kind: 'reply', stage: 'connect', code: 554, text: '5.7.1 go away' }] });
    const { wire, greeting } = await SmtpWire.connect(port);
    expect(greeting).toMatchObject({ code: 554, text: '554 5.7.1 go away' });
    await wire.closed;
  });

  it('answers MAIL on every 2nd message of a matching sender only', async () => {
    await setRules({ rules: [{ kind: 'reply', stage: 'mail', code: 451, every: 2, match: { sender: '*@noisy.test' } }] });
    const codes = await converse(['EHLO c', 'MAIL FROM:<a@noisy.test>', 'RSET', 'MAIL FROM:<a@noisy.test>', 'RSET', 'MAIL FROM:<a@quiet.test>', 'RSET', 'MAIL FROM:<b@noisy.test>']);
    expect(codes).toEqual([220, 250, 250, 250, 451, 250, 250, 250, 250]);
    expect((await (await t.api('/api/emulation')).json()).counters).toEqual([{ matched: 3, fired: 1 }]);
  });

  it('answers RCPT for matching recipients, with the rule text', async () => {
    await setRules({ rules: [{ kind: 'reply', stage: 'rcpt', code: 550, match: { recipient: 'nobody@*' } }] });
    const { wire } = await SmtpWire.connect(port);
    await wire.cmd('EHLO c');
    await wire.cmd('MAIL FROM:<a@x.test>');
    expect(await wire.cmd('RCPT TO:<nobody@y.test>')).toMatchObject({ code: 550, text: '550 5.1.1 emulated reply at rcpt (sandbox provider emulation)' });
    expect((await wire.cmd('RCPT TO:<somebody@y.test>'))?.code).toBe(250);
    await wire.quit();
  });

  it('answers DATA for a tag (X-Tags or plus address) after reading the message, and stores nothing', async () => {
    await setRules({ rules: [{ kind: 'reply', stage: 'data', code: 552, match: { tag: 'huge' } }] });
    const before = await captured();
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await expect(mailer.sendMail({ from: 'a@x.test', to: 'u@y.test', subject: 's', text: 'x', headers: { 'X-Tags': 'small, huge' } })).rejects.toMatchObject({ responseCode: 552 });
    await expect(mailer.sendMail({ from: 'a@x.test', to: 'u+huge@y.test', subject: 's', text: 'x' })).rejects.toMatchObject({ responseCode: 552 });
    await mailer.sendMail({ from: 'a@x.test', to: 'u+tiny@y.test', subject: 's', text: 'x' });
    expect(await captured()).toBe(before + 1);
  });

  it('answers AUTH for a matching username', async () => {
    await setRules({ rules: [{ kind: 'reply', stage: 'auth', code: 535, match: { username: 'locked-*' } }] });
    const send = (user: string) => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, auth: { user, pass: 'p' } }).sendMail({ from: 'a@x.test', to: 'u@y.test', text: 'x' });
    await expect(send('locked-out')).rejects.toMatchObject({ responseCode: 535 });
    await expect(send('project')).resolves.toBeDefined();
  });

  it('greylists the first attempt of a triple and accepts it once the delay passed', async () => {
    await setRules({ rules: [{ kind: 'greylist', delay_seconds: 300 }] });
    const attempt = () => converse(['EHLO c', 'MAIL FROM:<a@x.test>', 'RCPT TO:<u@y.test>']);
    expect(await attempt()).toEqual([220, 250, 250, 451]);
    clock.advance(299);
    expect(await attempt()).toEqual([220, 250, 250, 451]);
    clock.advance(1);
    expect(await attempt()).toEqual([220, 250, 250, 250]);
  });

  it('limits messages per connection per minute', async () => {
    await setRules({ rules: [{ kind: 'rate', per: 'connection', max_per_minute: 2, code: 451 }] });
    const mail = ['MAIL FROM:<a@x.test>', 'RSET'];
    expect(await converse(['EHLO c', ...mail, ...mail, ...mail])).toEqual([220, 250, 250, 250, 250, 250, 451, 250]);
    // a new connection has its own window
    expect(await converse(['EHLO c', 'MAIL FROM:<a@x.test>'])).toEqual([220, 250, 250]);
  });

  it('limits messages per sender per minute across connections, with 421 closing the connection', async () => {
    await setRules({ rules: [{ kind: 'rate', per: 'sender', max_per_minute: 1, code: 421 }] });
    expect(await converse(['EHLO c', 'MAIL FROM:<bulk@x.test>'])).toEqual([220, 250, 250]);
    expect(await converse(['EHLO c', 'MAIL FROM:<bulk@x.test>', 'NOOP'])).toEqual([220, 250, 421, null]);
    clock.advance(61);
    expect(await converse(['EHLO c', 'MAIL FROM:<bulk@x.test>'])).toEqual([220, 250, 250]);
  });

  it('caps the messages of a connection, then 421 and the connection closes', async () => {
    await setRules({ rules: [{ kind: 'connection_cap', max_messages: 2 }] });
    const mail = ['MAIL FROM:<a@x.test>', 'RSET'];
    expect(await converse(['EHLO c', ...mail, ...mail, 'MAIL FROM:<a@x.test>', 'NOOP'])).toEqual([220, 250, 250, 250, 250, 250, 421, null]);
  });

  it('delays the answer of a stage by the rule latency, no longer', async () => {
    await setRules({ rules: [{ kind: 'latency', stage: 'mail', ms: 300 }] });
    const { wire } = await SmtpWire.connect(port);
    await wire.cmd('EHLO c');
    const started = performance.now();
    expect((await wire.cmd('MAIL FROM:<a@x.test>'))?.code).toBe(250);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(5000);
    await wire.quit();
  });

  it("takes Mailpit's chaos triggers through /api/v1/chaos, beside the rules", async () => {
    await setRules({ rules: [{ kind: 'latency', stage: 'mail', ms: 0 }] });
    const put = await t.api('/api/v1/chaos', { method: 'PUT', json: { Recipient: { ErrorCode: 452, Probability: 100 } } });
    expect(put.status).toBe(200);
    const triggers = { Sender: { ErrorCode: 451, Probability: 0 }, Recipient: { ErrorCode: 452, Probability: 100 }, Authentication: { ErrorCode: 535, Probability: 0 } };
    expect(await put.json()).toEqual(triggers);
    expect(await (await t.api('/api/v1/chaos')).json()).toEqual(triggers);
    expect(await converse(['EHLO c', 'MAIL FROM:<a@x.test>', 'RCPT TO:<u@y.test>'])).toEqual([220, 250, 250, 452]);
    expect(((await (await t.api('/api/emulation')).json()) as EmulationView).config.rules).toHaveLength(1);

    const bad = await t.api('/api/v1/chaos', { method: 'PUT', json: { Sender: { ErrorCode: 200, Probability: 5 } } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/plain');
    expect(await bad.text()).toContain('Sender.ErrorCode');
  });

  it('refuses invalid rules with a 400 naming the field and keeps the rules in force', async () => {
    await setRules({ rules: [{ kind: 'reply', stage: 'mail', code: 451 }] });
    for (const [body, field] of [
      [{ rules: [{ kind: 'greylist', delay_seconds: -1 }] }, 'rules.0.delay_seconds'],
      [{ rules: [{ kind: 'reply', stage: 'helo', code: 451 }] }, 'rules.0.stage'],
      [{ rules: [{ kind: 'reply', stage: 'connect', code: 451, match: { recipient: '*' } }] }, 'rules.0.match.recipient'],
      [{ seed: 'x' }, 'seed'],
      [[1, 2], ''],
    ] as const) {
      const res = await t.api('/api/emulation', { method: 'PUT', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = (await res.json()) as { error: { code: string; message: string } };
      expect(err.error.code).toBe('bad_request');
      expect(err.error.message).toContain(field);
    }
    expect(await converse(['EHLO c', 'MAIL FROM:<a@x.test>'])).toEqual([220, 250, 451]);
  });
});

describe('provider emulation rules across restarts', () => {
  it("starts with config.ini's rules, keeps API rules across a restart, and returns to config.ini's after DELETE", async () => {
    const fromIni = emulationConfig.parse({ rules: [{ kind: 'reply', stage: 'mail', code: 421 }] });
    const first = await startTestRelay({ sink: { emulation: fromIni } });
    const patch = first.relay.ctx.config.sink;
    let view = (await (await first.api('/api/emulation')).json()) as EmulationView;
    expect(view).toMatchObject({ source: 'config', config: { rules: [{ code: 421 }] } });
    await first.api('/api/emulation', { method: 'PUT', json: { rules: [{ kind: 'reply', stage: 'rcpt', code: 550 }] } });
    await first.stop();

    const second = await startTestRelay({ sink: patch }, { dataDir: first.dataDir });
    try {
      view = (await (await second.api('/api/emulation')).json()) as EmulationView;
      expect(view).toMatchObject({ source: 'api', config: { rules: [{ code: 550 }] } });
      const port = second.relay.addresses().smtp.port;
      const { wire } = await SmtpWire.connect(port);
      await wire.cmd('EHLO c');
      await wire.cmd('MAIL FROM:<a@x.test>');
      expect((await wire.cmd('RCPT TO:<u@y.test>'))?.code).toBe(550);
      await wire.quit();
      view = (await (await second.api('/api/emulation', { method: 'DELETE' })).json()) as EmulationView;
      expect(view).toMatchObject({ source: 'config', config: { rules: [{ code: 421 }] } });
    } finally {
      await second.stop();
    }
  });
});
