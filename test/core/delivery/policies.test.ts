import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/core/delivery/rate-limiter.js';
import { backoffDelay, decideRetry } from '../../../src/core/delivery/retry-policy.js';
import { routeOrder } from '../../../src/core/delivery/routing.js';
import { classifySmtpError } from '../../../src/core/delivery/smtp-errors.js';
import { htmlToText } from '../../../src/core/delivery/html-to-text.js';
import { tlsModeOf } from '../../../src/core/delivery/transports.js';
import { accountWithDefaults, type Account } from '../../../src/core/store/records.js';

function account(id: string, over: Partial<Account> = {}): Account {
  return { ...accountWithDefaults({ id, host: 'h', port: 25 }), created_at: '', updated_ts: 0, ...over };
}

describe('rate limiter (exact sliding windows)', () => {
  const T = 1_000_000;

  it('counts sends inside the window and frees a slot exactly when the oldest one leaves it', () => {
    const rl = new RateLimiter(() => [T - 59, T - 30]);
    const a = account('a', { limit_per_minute: 2 });
    expect(rl.check(a, T)).toEqual({ ok: false, until: T + 1, window: 'minute', limit: 2 });
    expect(rl.check(a, T + 1).ok).toBe(true);
    expect(rl.state(a, T, () => ({ minute: 0, hour: 0, day: 0 }))[0]).toEqual({
      window: 'minute',
      used: 2,
      limit: 2,
      next_free_ts: T + 1,
    });
  });

  it('counts in-flight sends until they are released, then as sends when accepted', () => {
    const rl = new RateLimiter(() => []);
    const a = account('a', { limit_per_minute: 2 });
    expect(rl.acquire(a, T, 'm1', 2).ok).toBe(true);
    expect(rl.acquire(a, T, 'm2', 2).ok).toBe(true);
    expect(rl.acquire(a, T, 'm3', 2)).toMatchObject({ ok: false, until: T + 60 });
    rl.release('a', null); // m1 failed: its slot is free again, nothing counted
    expect(rl.check(a, T).ok).toBe(true);
    rl.release('a', T); // m2 accepted
    expect(rl.state(a, T, () => ({ minute: 0, hour: 0, day: 0 }))[0].used).toBe(1);
  });

  it('spreads a backlog over the coming windows, one window after the other', () => {
    const rl = new RateLimiter(() => [T, T]);
    const a = account('a', { limit_per_minute: 2 });
    const slots = ['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => rl.reserve(a, T, id, 2));
    expect(slots).toEqual([T + 60, T + 60, T + 120, T + 120, T + 180]);
  });

  it('checks every window and takes the latest constraint', () => {
    const rl = new RateLimiter(() => [T - 3000, T - 10]);
    const a = account('a', { limit_per_minute: 5, limit_per_hour: 2 });
    expect(rl.check(a, T)).toMatchObject({ ok: false, window: 'hour', until: T - 3000 + 3600 });
  });

  it('gives an urgent message a slot before those promised to less urgent ones', () => {
    const rl = new RateLimiter(() => [T]);
    const a = account('a', { limit_per_minute: 1 });
    expect(rl.reserve(a, T, 'low1', 3)).toBe(T + 60);
    expect(rl.reserve(a, T, 'low2', 3)).toBe(T + 120);
    expect(rl.reserve(a, T, 'urgent', 0)).toBe(T + 60);
    // taking its slot drops the booking, so a later reservation of the same message moves on
    expect(rl.reserve(a, T, 'low1', 3)).toBe(T + 180);
  });

  it('treats zero or negative limits as no limit (genro-mail-proxy)', () => {
    const rl = new RateLimiter(() => Array(100).fill(T));
    expect(rl.check(account('a', { limit_per_minute: 0, limit_per_hour: -1 }), T).ok).toBe(true);
  });
});

describe('retry policy', () => {
  const settings = { retryDelays: [60, 300, 900], maxRetries: 5, retryJitter: 0, retryLifetimeSeconds: 0 };

  it('follows the schedule and repeats the last delay', () => {
    expect([0, 1, 2, 3, 7].map((n) => backoffDelay(settings, n))).toEqual([60, 300, 900, 900, 900]);
  });

  it('spreads delays by the jitter fraction', () => {
    const s = { ...settings, retryJitter: 0.5 };
    expect(backoffDelay(s, 0, () => 0)).toBe(30);
    expect(backoffDelay(s, 0, () => 1)).toBe(90);
    expect(backoffDelay(s, 0, () => 0.5)).toBe(60);
  });

  it('fails after maxRetries and past the lifetime cap', () => {
    expect(decideRetry(settings, { retryCount: 5, firstAttemptTs: 0, now: 10, text: 'x (SMTP 451)' })).toEqual({
      action: 'fail',
      error: 'Max retries (5) exceeded: x (SMTP 451)',
    });
    expect(decideRetry(settings, { retryCount: 1, firstAttemptTs: 100, now: 100, text: 't' })).toEqual({
      action: 'retry',
      until: 400,
      retry_count: 2,
      delay: 300,
    });
    const capped = { ...settings, retryLifetimeSeconds: 200 };
    expect(decideRetry(capped, { retryCount: 1, firstAttemptTs: 100, now: 100, text: 't' })).toMatchObject({ action: 'fail' });
  });
});

describe('SMTP error classification', () => {
  it('4xx temporary, 5xx permanent, with genro-mail-proxy wording', () => {
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 Try later', command: 'DATA' })).toEqual({
      kind: 'temporary',
      scope: 'message',
      code: 451,
      text: '4.3.0 Try later (SMTP 451)',
    });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 no', command: 'RCPT TO' })).toMatchObject({
      kind: 'permanent',
      code: 550,
    });
  });

  it('connection, greeting, TLS and 421 failures are connection-level and temporary', () => {
    for (const err of [
      { code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      { code: 'ETIMEDOUT', message: 'Greeting never received', command: 'CONN' },
      { code: 'ETLS', message: 'handshake' },
      { code: 'EPROTOCOL', responseCode: 421, response: '421 busy', command: 'CONN' },
      { code: 'EAUTH', responseCode: 454, response: '454 temp auth failure', command: 'AUTH PLAIN' },
    ]) {
      expect(classifySmtpError(err)).toMatchObject({ kind: 'temporary', scope: 'connection' });
    }
  });

  it('a 421 to a message command (a server capping messages per connection) is worth one retry at once', () => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 421, response: '421 too many messages', command: 'MAIL FROM' })).toMatchObject({
      kind: 'temporary',
      retryNow: true,
    });
    expect(classifySmtpError({ code: 'EPROTOCOL', responseCode: 421, response: '421 busy', command: 'CONN' }).retryNow).toBeUndefined();
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 451, response: '451 later', command: 'DATA' }).retryNow).toBeUndefined();
  });

  it('unknown errors are temporary; local message problems permanent', () => {
    expect(classifySmtpError(new Error('something odd'))).toMatchObject({ kind: 'temporary', text: 'something odd' });
    expect(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' })).toMatchObject({ kind: 'permanent' });
  });

  it('all recipients rejected: temporary only when every rejection was', () => {
    const rej = (code: number) => ({ recipient: `r${code}@x`, responseCode: code, response: `${code} nope` });
    expect(classifySmtpError({ code: 'EENVELOPE', rejectedErrors: [rej(450), rej(451)] }).kind).toBe('temporary');
    const mixed = classifySmtpError({ code: 'EENVELOPE', rejectedErrors: [rej(450), rej(550)] });
    expect(mixed.kind).toBe('permanent');
    expect(mixed.recipients).toEqual([
      { address: 'r450@x', accepted: false, code: 450, response: '450 nope' },
      { address: 'r550@x', accepted: false, code: 550, response: '550 nope' },
    ]);
  });
});

describe('routing', () => {
  const accounts = new Map(
    [
      account('a', { fallbacks: ['b', 'c', 'missing', 'a'] }),
      account('b', { weight: 3 }),
      account('c'),
      account('w', { weight: 1, fallbacks: ['b', 'c'] }),
    ].map((x) => [x.id, x]),
  );
  const lookup = (id: string) => accounts.get(id) ?? null;

  it('without weights: the account, then its fallbacks in order (unknown and repeated ids skipped)', () => {
    expect(routeOrder(accounts.get('a')!, lookup).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });

  it('with weights: the first account is drawn by weight, the rest follow for failover', () => {
    const w = accounts.get('w')!;
    // weights: w=1, b=3, c=none (failover only): total 4
    expect(routeOrder(w, lookup, () => 0.1).map((x) => x.id)).toEqual(['w', 'b', 'c']);
    expect(routeOrder(w, lookup, () => 0.5).map((x) => x.id)).toEqual(['b', 'w', 'c']);
    const counts: Record<string, number> = { w: 0, b: 0 };
    for (let i = 0; i < 400; i++) counts[routeOrder(w, lookup, () => i / 400)[0].id]++;
    expect(counts).toEqual({ w: 100, b: 300 });
  });
});

describe('transport TLS mode', () => {
  it('implicit TLS on 465 or use_tls; STARTTLS required on 587', () => {
    expect(tlsModeOf({ port: 465, use_tls: null })).toEqual({ secure: true, requireTLS: false });
    expect(tlsModeOf({ port: 2525, use_tls: true })).toEqual({ secure: true, requireTLS: false });
    expect(tlsModeOf({ port: 587, use_tls: null })).toEqual({ secure: false, requireTLS: true });
    expect(tlsModeOf({ port: 587, use_tls: true })).toEqual({ secure: false, requireTLS: true });
    expect(tlsModeOf({ port: 25, use_tls: false })).toEqual({ secure: false, requireTLS: false });
  });
});

describe('html to text alternative', () => {
  it('keeps structure, links and entities readable', () => {
    const html = `<html><head><style>p{}</style><title>t</title></head><body>
      <h1>Hello&nbsp;there</h1><p>Line one<br>Line two &amp; more</p>
      <ul><li>first</li><li>second</li></ul><a href="https://x.test/a">Click</a><script>alert(1)</script></body></html>`;
    expect(htmlToText(html)).toBe('Hello there\n\nLine one\nLine two & more\n\n- first\n- second\n\nClick (https://x.test/a)');
  });
});
