import type { RateWindow as RateWindowState, RateWindowName } from '../../shared/api/accounts.js';
import { accountKey, type Account } from '../store/ports.js';

/** One window's live state as GET /api/accounts shows it (the shared RateWindow). */
export type { RateWindowName, RateWindow as RateWindowState } from '../../shared/api/accounts.js';

export const RATE_WINDOWS: readonly { window: RateWindowName; seconds: number; field: Exclude<keyof RateLimits, 'id' | 'tenant_id'> }[] = [
  { window: 'minute', seconds: 60, field: 'limit_per_minute' },
  { window: 'hour', seconds: 3600, field: 'limit_per_hour' },
  { window: 'day', seconds: 86400, field: 'limit_per_day' },
];

/** the longest window: sends older than this count for nothing */
export const LONGEST_WINDOW = 86400;
/** a booking nobody claimed for this long (its message was deleted or retried) is dropped */
const STALE_BOOKING_SECONDS = 600;

export type RateLimits = Pick<Account, 'tenant_id' | 'id' | 'limit_per_minute' | 'limit_per_hour' | 'limit_per_day'>;

export type RateCheck = { ok: true } | { ok: false; until: number; window: RateWindowName; limit: number };

interface Booking {
  ts: number;
  priority: number;
  /** the message's seq */
  seq: number;
}

interface AccountWindowState {
  /** accepted sends within the longest window, ascending; tracked only while the account has limits */
  sends: number[];
  tracked: boolean;
  inFlight: number;
  /** future slots promised to rate-limited messages, ascending by ts */
  bookings: Booking[];
  bookingBySeq: Map<number, Booking>;
}

/** The limit of a window; null, zero or negative mean none (genro-mail-proxy). */
export function limitOf(a: RateLimits, field: Exclude<keyof RateLimits, 'id' | 'tenant_id'>): number | null {
  const v = a[field];
  return typeof v === 'number' && v > 0 ? v : null;
}

/** Whether any window of the account has a limit. */
export function hasLimits(a: RateLimits): boolean {
  return RATE_WINDOWS.some((w) => limitOf(a, w.field) !== null);
}

/** Index of the first element > x in an ascending array. */
function upperBound(arr: number[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const keyOf = (a: RateLimits): string => accountKey(a.tenant_id, a.id);

/**
 * Exact sliding-window rate limits per account (minute, hour, day), accounts keyed by accountKey. "Used" is the number of sends the
 * account's server accepted within the window plus the sends in flight, so concurrent senders share
 * the limit. When a limit is hit, the message is given the moment a slot frees, taking into account
 * the slots already promised to earlier messages of the same or a more urgent priority, so a backlog
 * is spread over the coming windows instead of all waking at once.
 */
export class RateLimiter {
  private readonly accounts = new Map<string, AccountWindowState>();

  /** Whether the account's windows must be seeded from the send log before they are used. */
  needsSeed(account: RateLimits): boolean {
    return hasLimits(account) && !this.accounts.get(keyOf(account))?.tracked;
  }

  /** Starts tracking an account's windows (by key) with its sends of the longest window (ascending). */
  seed(key: string, sends: readonly number[]): void {
    const st = this.entry(key);
    st.sends = [...sends];
    st.tracked = true;
  }

  /** Whether the windows of the account are counted here (else the send log has the counts). */
  tracks(account: RateLimits): boolean {
    return hasLimits(account) && this.accounts.get(keyOf(account))?.tracked === true;
  }

  private entry(key: string): AccountWindowState {
    let st = this.accounts.get(key);
    if (!st) {
      st = { sends: [], tracked: false, inFlight: 0, bookings: [], bookingBySeq: new Map() };
      this.accounts.set(key, st);
    }
    return st;
  }

  private stateOf(account: RateLimits, now: number): AccountWindowState {
    const st = this.entry(keyOf(account));
    if (hasLimits(account)) {
      if (st.tracked && st.sends.length > 0 && st.sends[0] <= now - LONGEST_WINDOW) {
        st.sends.splice(0, upperBound(st.sends, now - LONGEST_WINDOW));
      }
    } else if (st.tracked) {
      st.sends = [];
      st.tracked = false;
    }
    if (st.bookings.length > 0 && st.bookings[0].ts < now - STALE_BOOKING_SECONDS) {
      const keep = st.bookings.filter((b) => b.ts >= now - STALE_BOOKING_SECONDS);
      for (const b of st.bookings) if (b.ts < now - STALE_BOOKING_SECONDS) st.bookingBySeq.delete(b.seq);
      st.bookings = keep;
    }
    return st;
  }

  private used(st: AccountWindowState, seconds: number, now: number): number {
    return st.sends.length - upperBound(st.sends, now - seconds) + st.inFlight;
  }

  /** The first window whose limit is reached now, or null when a send can start. */
  private hitWindow(st: AccountWindowState, account: RateLimits, now: number) {
    for (const w of RATE_WINDOWS) {
      const limit = limitOf(account, w.field);
      if (limit && this.used(st, w.seconds, now) >= limit) return { window: w.window, limit };
    }
    return null;
  }

  /** Whether a send could start now, else when a slot frees (no booking, no side effect). */
  check(account: RateLimits, now: number): RateCheck {
    if (!hasLimits(account)) return { ok: true };
    const st = this.stateOf(account, now);
    const hit = this.hitWindow(st, account, now);
    if (!hit) return { ok: true };
    return { ok: false, until: this.nextSlot(st, account, now, Number.MAX_SAFE_INTEGER), ...hit };
  }

  /** True when no send of this account can start now. */
  saturated(account: RateLimits, now: number): boolean {
    return hasLimits(account) && this.hitWindow(this.stateOf(account, now), account, now) !== null;
  }

  /**
   * Takes a slot for the message (by seq) now (counted as in flight until `release`), or promises it the
   * earliest free future slot for its priority and says when that is.
   */
  acquire(account: RateLimits, now: number, messageSeq: number, priority: number): RateCheck {
    const st = this.stateOf(account, now);
    this.dropBooking(st, messageSeq);
    const hit = this.check(account, now);
    if (hit.ok) {
      st.inFlight++;
      return hit;
    }
    return { ...hit, until: this.book(st, account, now, messageSeq, priority) };
  }

  /** Promises the next free slot to a message that will wait for it (no slot taken now). */
  reserve(account: RateLimits, now: number, messageSeq: number, priority: number): number {
    const st = this.stateOf(account, now);
    this.dropBooking(st, messageSeq);
    return this.book(st, account, now, messageSeq, priority);
  }

  /** When a message of this priority could get a slot, without promising it. */
  nextFree(account: RateLimits, now: number, priority: number): number {
    if (!hasLimits(account)) return now;
    return this.nextSlot(this.stateOf(account, now), account, now, priority);
  }

  /** Ends an in-flight send of the account (by key); `sentAt` when the server accepted it (it then counts in the windows). */
  release(key: string, sentAt: number | null): void {
    const st = this.accounts.get(key);
    if (!st) return;
    if (st.inFlight > 0) st.inFlight--;
    if (sentAt !== null && st.tracked) {
      const at = upperBound(st.sends, sentAt);
      if (at === st.sends.length) st.sends.push(sentAt);
      else st.sends.splice(at, 0, sentAt);
    }
  }

  /** Forgets what was promised to a message (retried by hand, deleted). */
  forget(key: string, messageSeq: number): void {
    const st = this.accounts.get(key);
    if (st) this.dropBooking(st, messageSeq);
  }

  inFlight(key: string): number {
    return this.accounts.get(key)?.inFlight ?? 0;
  }

  /**
   * Live state per window for the API. `fromLog` (the send log's counts) stands in for the sends of an
   * account whose windows are not tracked here (`tracks` is false); in-flight sends are always this process's.
   */
  state(account: RateLimits, now: number, fromLog: Record<RateWindowName, number> | null): RateWindowState[] {
    const st = this.stateOf(account, now);
    const logCounts = st.tracked ? null : fromLog;
    return RATE_WINDOWS.map((w) => {
      const limit = limitOf(account, w.field);
      const used = logCounts ? logCounts[w.window] + st.inFlight : this.used(st, w.seconds, now);
      let next: number | null = null;
      if (limit && used >= limit) {
        // the (used - limit + 1)-th oldest counted send frees the next slot; in-flight sends count as now
        const inWindow = st.sends.slice(upperBound(st.sends, now - w.seconds));
        const k = used - limit;
        next = (k < inWindow.length ? inWindow[k] : now) + w.seconds;
      }
      return { window: w.window, used, limit, next_free_ts: next };
    });
  }

  private dropBooking(st: AccountWindowState, messageSeq: number): void {
    const b = st.bookingBySeq.get(messageSeq);
    if (!b) return;
    st.bookingBySeq.delete(messageSeq);
    const i = st.bookings.indexOf(b);
    if (i >= 0) st.bookings.splice(i, 1);
  }

  private book(st: AccountWindowState, account: RateLimits, now: number, messageSeq: number, priority: number): number {
    const ts = this.nextSlot(st, account, now, priority);
    const b: Booking = { ts, priority, seq: messageSeq };
    let at = st.bookings.length;
    while (at > 0 && st.bookings[at - 1].ts > ts) at--;
    st.bookings.splice(at, 0, b);
    st.bookingBySeq.set(messageSeq, b);
    return ts;
  }

  /**
   * Earliest moment t >= now at which one more send fits every window, counting accepted sends,
   * in-flight sends (as happening now) and the slots promised to messages of priority <= `priority`.
   * Promised slots are never moved, so t is also no earlier than the last of them.
   */
  private nextSlot(st: AccountWindowState, account: RateLimits, now: number, priority: number): number {
    const promised: number[] = [];
    let maxNeeded = 0;
    for (const w of RATE_WINDOWS) maxNeeded = Math.max(maxNeeded, limitOf(account, w.field) ?? 0);
    for (let i = st.bookings.length - 1; i >= 0 && promised.length < maxNeeded; i--) {
      if (st.bookings[i].priority <= priority) promised.push(st.bookings[i].ts);
    }
    promised.reverse();
    // the counted events in time order: sends, in-flight (now), promised slots
    const total = st.sends.length + st.inFlight + promised.length;
    const at = (index: number): number => {
      if (index >= st.sends.length + st.inFlight) return Math.max(now, promised[index - st.sends.length - st.inFlight]);
      if (index >= st.sends.length) return now;
      return st.sends[index];
    };
    let t = promised.length > 0 ? Math.max(now, promised[promised.length - 1]) : now;
    for (const w of RATE_WINDOWS) {
      const limit = limitOf(account, w.field);
      if (!limit || total < limit) continue;
      t = Math.max(t, at(total - limit) + w.seconds);
    }
    return t;
  }
}
