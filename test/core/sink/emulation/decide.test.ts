import { describe, expect, it } from 'vitest';
import { emulationConfig, type EmulationConfigInput } from '../../../../src/shared/api/emulation.js';
import { globMatch, type EmulationEvent } from '../../../../src/core/sink/emulation/decide.js';
import { EmulationState } from '../../../../src/core/sink/emulation/state.js';

const T0 = Date.UTC(2026, 0, 1);
const session = { id: 's1', ip: '127.0.0.1', username: null };

function stateOf(input: EmulationConfigInput): EmulationState {
  const s = new EmulationState();
  s.configure(emulationConfig.parse(input));
  return s;
}

const at = (event: Partial<Omit<EmulationEvent, 'messagesOnConnection'>> & Pick<EmulationEvent, 'stage'>) => ({ nowMs: T0, session, ...event });
const verdictOf = (s: EmulationState, e: Parameters<typeof at>[0]) => {
  const d = s.decide(at(e));
  return d.verdict.kind === 'reply' ? d.verdict.code : 'accept';
};

describe('globMatch', () => {
  it('matches `*` and `?` over the whole address, ignoring case', () => {
    expect(globMatch('bounce+*@*', 'Bounce+hard@Example.com')).toBe(true);
    expect(globMatch('*@example.com', 'a/b@example.com')).toBe(true);
    expect(globMatch('*@example.com', 'a@example.org')).toBe(false);
    expect(globMatch('u?er@x', 'user@x')).toBe(true);
    expect(globMatch('a.b@x', 'aXb@x')).toBe(false);
  });

  it('stays linear on a pattern of many stars against a long address', () => {
    const started = performance.now();
    expect(globMatch('*a'.repeat(100) + 'b', 'a'.repeat(250))).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('provider emulation decisions', () => {
  it('answers a reply rule on every Nth matching command only', () => {
    const s = stateOf({ rules: [{ kind: 'reply', stage: 'rcpt', code: 550, every: 3, match: { recipient: '*@blocked.test' } }] });
    const seen = [1, 2, 3, 4, 5, 6].map(() => verdictOf(s, { stage: 'rcpt', sender: 'a@x', recipients: ['u@blocked.test'] }));
    expect(seen).toEqual(['accept', 'accept', 550, 'accept', 'accept', 550]);
    expect(verdictOf(s, { stage: 'rcpt', sender: 'a@x', recipients: ['u@other.test'] })).toBe('accept');
    expect(s.snapshot()).toEqual([{ matched: 6, fired: 2 }]);
  });

  it('draws probabilities from the seed: the same seed answers the same sequence', () => {
    const run = (seed: number) => {
      const s = stateOf({ seed, rules: [{ kind: 'reply', stage: 'mail', code: 451, probability: 30 }] });
      return Array.from({ length: 200 }, () => verdictOf(s, { stage: 'mail', sender: 'a@x' }));
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    const fired = a.filter((v) => v === 451).length;
    expect(fired).toBeGreaterThan(40);
    expect(fired).toBeLessThan(80);
  });

  it('greylists a sender/recipient/IP triple until its delay passed, then accepts it', () => {
    const s = stateOf({ rules: [{ kind: 'greylist', delay_seconds: 60 }] });
    const rcpt = (nowMs: number, recipient = 'u@x', ip = '127.0.0.1') =>
      verdictOf(s, { stage: 'rcpt', nowMs, sender: 'a@x', recipients: [recipient], session: { ...session, ip } });
    expect(rcpt(T0)).toBe(451);
    expect(rcpt(T0 + 59_000)).toBe(451);
    expect(rcpt(T0 + 60_000)).toBe('accept');
    expect(rcpt(T0 + 61_000)).toBe('accept');
    expect(rcpt(T0 + 61_000, 'other@x')).toBe(451);
    expect(rcpt(T0 + 61_000, 'u@x', '127.0.0.2')).toBe(451);
  });

  it('limits messages per sender per minute, counting only accepted ones', () => {
    const s = stateOf({ rules: [{ kind: 'rate', per: 'sender', max_per_minute: 2, code: 421 }] });
    const mail = (nowMs: number, sender = 'a@x') => verdictOf(s, { stage: 'mail', nowMs, sender });
    expect([mail(T0), mail(T0 + 1000), mail(T0 + 2000), mail(T0 + 3000)]).toEqual(['accept', 'accept', 421, 421]);
    expect(mail(T0 + 3000, 'b@x')).toBe('accept');
    expect(mail(T0 + 60_001)).toBe('accept');
  });

  it('caps the messages of one connection', () => {
    const s = stateOf({ rules: [{ kind: 'connection_cap', max_messages: 2 }] });
    const mail = () => verdictOf(s, { stage: 'mail', sender: 'a@x' });
    expect(mail()).toBe('accept');
    s.messageStarted('s1');
    expect(mail()).toBe('accept');
    s.messageStarted('s1');
    expect(mail()).toBe(421);
    s.connectionClosed('s1');
    expect(mail()).toBe('accept');
  });

  it('adds up the latency of matching rules and caps it at 60 s', () => {
    const s = stateOf({
      rules: [
        { kind: 'latency', stage: 'data', ms: 40_000 },
        { kind: 'latency', stage: 'data', ms: 40_000, match: { tag: 'slow' } },
        { kind: 'latency', stage: 'mail', ms: 5 },
      ],
    });
    expect(s.decide(at({ stage: 'data', recipients: ['u@x'], tags: [] })).delayMs).toBe(40_000);
    expect(s.decide(at({ stage: 'data', recipients: ['u@x'], tags: ['slow'] })).delayMs).toBe(60_000);
  });

  it('gives the first firing rule the answer, and Mailpit chaos only when no rule answered', () => {
    const s = stateOf({
      rules: [
        { kind: 'reply', stage: 'mail', code: 554, match: { username: 'blocked' } },
        { kind: 'reply', stage: 'mail', code: 451 },
      ],
      chaos: { Sender: { ErrorCode: 450, Probability: 100 }, Recipient: { ErrorCode: 451, Probability: 0 }, Authentication: { ErrorCode: 535, Probability: 0 } },
    });
    expect(verdictOf(s, { stage: 'mail', sender: 'a@x', session: { ...session, username: 'blocked' } })).toBe(554);
    expect(verdictOf(s, { stage: 'mail', sender: 'a@x' })).toBe(451);
    const chaosOnly = stateOf({ chaos: { Sender: { ErrorCode: 450, Probability: 100 }, Recipient: { ErrorCode: 451, Probability: 0 }, Authentication: { ErrorCode: 535, Probability: 0 } } });
    expect(verdictOf(chaosOnly, { stage: 'mail', sender: 'a@x' })).toBe(450);
    expect(verdictOf(chaosOnly, { stage: 'rcpt', sender: 'a@x', recipients: ['u@x'] })).toBe('accept');
  });

  it('accepts everything when disabled', () => {
    const s = stateOf({ enabled: false, rules: [{ kind: 'reply', stage: 'connect', code: 554 }] });
    expect(verdictOf(s, { stage: 'connect' })).toBe('accept');
  });
});

describe('emulation rule schema', () => {
  const issues = (input: unknown) => {
    const r = emulationConfig.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  it('refuses what a rule cannot mean, naming the field', () => {
    expect(issues({ rules: [{ kind: 'reply', stage: 'rcpt', code: 250 }] })).toEqual(['rules.0.code']);
    expect(issues({ rules: [{ kind: 'reply', stage: 'connect', code: 421, match: { sender: '*' } }] })).toEqual(['rules.0.match.sender']);
    expect(issues({ rules: [{ kind: 'greylist', delay_seconds: 5, match: { tag: 'x' } }] })).toEqual(['rules.0.match.tag']);
    expect(issues({ rules: [{ kind: 'latency', stage: 'data', ms: 600_000 }] })).toEqual(['rules.0.ms']);
    expect(issues({ rules: [{ kind: 'reply', stage: 'mail', code: 451, text: 'two\r\nlines' }] })).toEqual(['rules.0.text']);
    expect(issues({ rules: [{ kind: 'explode' }] })).toEqual(['rules.0.kind']);
    expect(issues({ rules: [], extra: 1 })).toEqual(['']);
  });
});
