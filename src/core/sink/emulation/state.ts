import { EMULATION_OFF, type EmulationConfig } from '../../../shared/api/emulation.js';
import { bouncesFor, type Bounce } from '../bounces/bounce-rules.js';
import { decide, type EmulationDecision, type EmulationEffect, type EmulationEvent, type EmulationFacts } from './decide.js';

/** at most this many greylist triples and rate keys are remembered (the oldest go first) */
const MAX_KEYS = 100_000;
const MINUTE_MS = 60_000;

/** mulberry32: a tiny seeded generator, so "probability 30" answers the same run after run */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EmulationCounter {
  matched: number;
  fired: number;
}

/**
 * The sink's emulation state: the rules in force, their counters, greylisted triples with their
 * first-seen time, per-minute windows, messages per connection and the seeded generator. Setting
 * new rules starts all of it afresh.
 */
export class EmulationState {
  private config: EmulationConfig = EMULATION_OFF;
  private counters: EmulationCounter[] = [];
  private greylist = new Map<string, number>();
  private windows = new Map<string, number[]>();
  private perConnection = new Map<string, number>();
  /** the window keys of each connection's per-connection rate rules, dropped when it closes */
  private connectionKeys = new Map<string, Set<string>>();
  private random: () => number = seeded(1);

  configure(config: EmulationConfig): void {
    this.config = config;
    this.counters = config.rules.map(() => ({ matched: 0, fired: 0 }));
    this.greylist.clear();
    this.windows.clear();
    this.connectionKeys.clear();
    this.random = seeded(config.seed);
  }

  rules(): EmulationConfig {
    return this.config;
  }

  snapshot(): EmulationCounter[] {
    return this.counters.map((c) => ({ ...c }));
  }

  /** Decides one command and records its effects (counters, greylist, windows). */
  decide(event: Omit<EmulationEvent, 'messagesOnConnection'>): EmulationDecision {
    if (!this.config.enabled || this.config.rules.length + this.chaosOn() === 0) return { delayMs: 0, verdict: { kind: 'accept' }, effects: [] };
    const full: EmulationEvent = { ...event, messagesOnConnection: this.perConnection.get(event.session.id) ?? 0 };
    const d = decide(this.config, full, this.facts());
    for (const e of d.effects) {
      this.apply(e);
      if (e.kind === 'record' && e.key.endsWith(`|connection|${event.session.id}`)) {
        const keys = this.connectionKeys.get(event.session.id) ?? new Set<string>();
        this.connectionKeys.set(event.session.id, keys.add(e.key));
      }
    }
    return d;
  }

  /** The recipients of an accepted message that bounce; their rules' counters move. */
  bounces(event: Omit<EmulationEvent, 'messagesOnConnection'>): Bounce[] {
    const found = bouncesFor(this.config, { ...event, messagesOnConnection: 0 });
    for (const b of found) if (b.rule !== 'builtin') this.apply({ kind: 'matched', rule: b.rule, fired: true });
    return found;
  }

  /** a MAIL command was accepted on this connection */
  messageStarted(sessionId: string): void {
    this.perConnection.set(sessionId, (this.perConnection.get(sessionId) ?? 0) + 1);
  }

  connectionClosed(sessionId: string): void {
    this.perConnection.delete(sessionId);
    for (const key of this.connectionKeys.get(sessionId) ?? []) this.windows.delete(key);
    this.connectionKeys.delete(sessionId);
  }

  private chaosOn(): number {
    const c = this.config.chaos;
    return c.Sender.Probability + c.Recipient.Probability + c.Authentication.Probability > 0 ? 1 : 0;
  }

  private facts(): EmulationFacts {
    return {
      matchedBefore: (rule) => this.counters[rule]?.matched ?? 0,
      roll: () => this.random() * 100,
      greylistedAt: (key) => this.greylist.get(key),
      recorded: (key, sinceMs) => (this.windows.get(key) ?? []).filter((t) => t >= sinceMs).length,
    };
  }

  private apply(e: EmulationEffect): void {
    switch (e.kind) {
      case 'matched': {
        const c = this.counters[e.rule];
        if (c) {
          c.matched++;
          if (e.fired) c.fired++;
        }
        return;
      }
      case 'greylist':
        bounded(this.greylist).set(e.key, e.atMs);
        return;
      case 'record': {
        const kept = (this.windows.get(e.key) ?? []).filter((t) => t > e.atMs - MINUTE_MS);
        kept.push(e.atMs);
        bounded(this.windows).set(e.key, kept);
        return;
      }
    }
  }
}

function bounded<V>(m: Map<string, V>): Map<string, V> {
  if (m.size >= MAX_KEYS) m.delete(m.keys().next().value!);
  return m;
}
