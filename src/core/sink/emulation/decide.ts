import { RULE_STAGE, type EmulationConfig, type EmulationMatch, type EmulationRule, type EmulationStage } from '../../../shared/api/emulation.js';

/** One SMTP command as the emulation sees it (what is known at its stage). */
export interface EmulationEvent {
  stage: EmulationStage;
  nowMs: number;
  /** smtp-server's session id, the client's IP, its AUTH username */
  session: { id: string; ip: string; username: string | null };
  /** MAIL commands this connection had accepted before this one */
  messagesOnConnection: number;
  sender?: string;
  /** rcpt: the recipient of this command; data: every recipient */
  recipients?: readonly string[];
  /** data: X-Tags and plus-address tags */
  tags?: readonly string[];
}

/** What the emulation state knows; `roll` draws the next number of the seeded generator. */
export interface EmulationFacts {
  matchedBefore(rule: number): number;
  /** 0 <= n < 100 */
  roll(): number;
  greylistedAt(key: string): number | undefined;
  /** messages recorded under `key` at or after `sinceMs` */
  recorded(key: string, sinceMs: number): number;
}

export type EmulationVerdict = { kind: 'accept' } | { kind: 'reply'; code: number; text: string; rule: number | 'chaos' };

/** What the state records once the decision is taken. */
export type EmulationEffect =
  | { kind: 'matched'; rule: number; fired: boolean }
  | { kind: 'greylist'; key: string; atMs: number }
  | { kind: 'record'; key: string; atMs: number };

export interface EmulationDecision {
  /** wait this long, then give the verdict */
  delayMs: number;
  verdict: EmulationVerdict;
  effects: EmulationEffect[];
}

export const MAX_TOTAL_DELAY_MS = 60_000;
const MINUTE_MS = 60_000;

const ENHANCED: Record<number, string> = { 421: '4.7.0', 450: '4.2.1', 451: '4.7.1', 452: '4.2.2', 535: '5.7.8', 550: '5.1.1', 552: '5.2.2', 554: '5.7.1' };

/** The answer text of a rule without one: an RFC 3463 code, then what happened. */
export function defaultText(code: number, what: string): string {
  const enhanced = ENHANCED[code] ?? `${Math.floor(code / 100)}.0.0`;
  return `${enhanced} ${what} (sandbox provider emulation)`;
}

/**
 * `*` and `?` over a whole address, case-insensitive. The classic two-pointer match is O(pattern x value),
 * where a regex of many `.*` backtracks without bound; path globs (picomatch) treat `/` apart.
 */
export function globMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < v.length) {
    if (i < p.length && (p[i] === '?' || p[i] === v[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (p[i] === '*') i++;
  return i === p.length;
}

const anyMatch = (pattern: string | undefined, values: readonly string[] | undefined) =>
  pattern === undefined || (values ?? []).some((v) => globMatch(pattern, v));

/** Does the rule's `match` accept this event (the schema refused matchers its stage cannot know)? */
export function matches(m: EmulationMatch, e: EmulationEvent): boolean {
  return (
    anyMatch(m.sender, e.sender === undefined ? [] : [e.sender]) &&
    anyMatch(m.recipient, e.recipients) &&
    anyMatch(m.username, e.session.username === null ? [] : [e.session.username]) &&
    anyMatch(m.tag, e.tags)
  );
}

const stageOf = (r: EmulationRule): EmulationStage => ('stage' in r ? r.stage : RULE_STAGE[r.kind]);

type Fired = { code: number; text: string; record?: EmulationEffect } | null;

function evaluate(r: EmulationRule, index: number, e: EmulationEvent, f: EmulationFacts): Fired {
  switch (r.kind) {
    case 'reply': {
      const nth = f.matchedBefore(index) + 1;
      if (nth % r.every !== 0) return null;
      if (r.probability < 100 && !(f.roll() < r.probability)) return null;
      return { code: r.code, text: r.text ?? defaultText(r.code, `emulated reply at ${r.stage}`) };
    }
    case 'greylist': {
      const key = `${index}|${e.session.ip}|${(e.sender ?? '').toLowerCase()}|${(e.recipients?.[0] ?? '').toLowerCase()}`;
      const first = f.greylistedAt(key);
      if (first !== undefined && e.nowMs - first >= r.delay_seconds * 1000) return null;
      const text = defaultText(r.code, `Greylisted, try again in ${r.delay_seconds} seconds`);
      return { code: r.code, text, record: first === undefined ? { kind: 'greylist', key, atMs: e.nowMs } : undefined };
    }
    case 'rate': {
      const key = `${index}|${r.per}|${r.per === 'sender' ? (e.sender ?? '').toLowerCase() : e.session.id}`;
      if (f.recorded(key, e.nowMs - MINUTE_MS) >= r.max_per_minute)
        return { code: r.code, text: defaultText(r.code, `Too many messages per ${r.per}: at most ${r.max_per_minute} a minute`) };
      return { code: 0, text: '', record: { kind: 'record', key, atMs: e.nowMs } };
    }
    case 'connection_cap':
      if (e.messagesOnConnection >= r.max_messages) return { code: 421, text: defaultText(421, `Too many messages on this connection (at most ${r.max_messages})`) };
      return null;
    case 'latency':
    case 'bounce':
      return null;
  }
}

/**
 * What the rule set answers to one command: the matching latency rules add up (capped), then the
 * first answering rule that fires gives the reply, then Mailpit's chaos triggers; else accept.
 * A rate rule records the message only when the command is accepted.
 */
export function decide(config: EmulationConfig, e: EmulationEvent, f: EmulationFacts): EmulationDecision {
  const accept: EmulationDecision = { delayMs: 0, verdict: { kind: 'accept' }, effects: [] };
  if (!config.enabled) return accept;
  let delayMs = 0;
  const effects: EmulationEffect[] = [];
  const pending: EmulationEffect[] = [];
  let verdict: EmulationVerdict = { kind: 'accept' };
  config.rules.forEach((r, index) => {
    // bounces answer 250: the sink applies them after the capture (bouncesFor)
    if (r.kind === 'bounce' || stageOf(r) !== e.stage || !matches(r.match, e)) return;
    if (r.kind === 'latency') {
      delayMs += r.ms;
      effects.push({ kind: 'matched', rule: index, fired: r.ms > 0 });
      return;
    }
    if (verdict.kind === 'reply') return;
    const fired = evaluate(r, index, e, f);
    if (fired?.record?.kind === 'greylist') effects.push(fired.record);
    else if (fired?.record) pending.push(fired.record);
    const answered = fired !== null && fired.code > 0;
    effects.push({ kind: 'matched', rule: index, fired: answered });
    if (answered) verdict = { kind: 'reply', code: fired.code, text: fired.text, rule: index };
  });
  if (verdict.kind === 'accept') verdict = chaos(config, e.stage, f) ?? verdict;
  if (verdict.kind === 'accept') effects.push(...pending);
  return { delayMs: Math.min(delayMs, MAX_TOTAL_DELAY_MS), verdict, effects };
}

const CHAOS_STAGE = { mail: 'Sender', rcpt: 'Recipient', auth: 'Authentication' } as const;

/** Mailpit's triggers: a draw below Probability (percent) answers ErrorCode. */
function chaos(config: EmulationConfig, stage: EmulationStage, f: EmulationFacts): EmulationVerdict | null {
  const which = stage in CHAOS_STAGE ? CHAOS_STAGE[stage as keyof typeof CHAOS_STAGE] : null;
  if (!which) return null;
  const t = config.chaos[which];
  if (t.Probability <= 0 || !(f.roll() < t.Probability)) return null;
  return { kind: 'reply', code: t.ErrorCode, text: defaultText(t.ErrorCode, `Chaos triggered on ${which.toLowerCase()}`), rule: 'chaos' };
}
