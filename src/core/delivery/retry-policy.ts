import type { RelayConfig } from '../config/types.js';

export type RetrySettings = Pick<
  RelayConfig['delivery'],
  'retryDelays' | 'maxRetries' | 'retryJitter' | 'retryLifetimeSeconds'
>;

export type RetryDecision =
  | { action: 'retry'; until: number; retry_count: number; delay: number }
  | { action: 'fail'; error: string };

/** The n-th delay of the schedule (0-based; the last one repeats), spread by ±jitter. */
export function backoffDelay(settings: RetrySettings, n: number, random: () => number = Math.random): number {
  const delays = settings.retryDelays.length ? settings.retryDelays : [60];
  const base = delays[Math.min(Math.max(n, 0), delays.length - 1)];
  const jitter = Math.min(Math.max(settings.retryJitter, 0), 1);
  const spread = jitter === 0 ? 1 : 1 + jitter * (2 * random() - 1);
  return Math.max(1, Math.round(base * spread));
}

/** Genropy retries only errors containing this, and the issue asks it first: it stays first when retrying ends. */
const ATTACHMENT_FAILURE = 'Attachment fetch failed';

function exhausted(why: string, text: string): string {
  return text.startsWith(ATTACHMENT_FAILURE) ? `${text} (${why})` : `${why}: ${text}`;
}

/**
 * What to do after a temporary failure: wait for the next slot of the schedule, or give up when the
 * retries or the lifetime are used up (texts as genro-mail-proxy words them).
 */
export function decideRetry(
  settings: RetrySettings,
  input: { retryCount: number; firstAttemptTs: number | null; now: number; text: string },
  random: () => number = Math.random,
): RetryDecision {
  if (input.retryCount >= settings.maxRetries) {
    return { action: 'fail', error: exhausted(`Max retries (${settings.maxRetries}) exceeded`, input.text) };
  }
  const delay = backoffDelay(settings, input.retryCount, random);
  const until = input.now + delay;
  const lifetime = settings.retryLifetimeSeconds;
  if (lifetime > 0 && input.firstAttemptTs !== null && until - input.firstAttemptTs > lifetime) {
    return { action: 'fail', error: exhausted(`Retry lifetime (${lifetime} s) exceeded`, input.text) };
  }
  return { action: 'retry', until, retry_count: input.retryCount + 1, delay };
}
