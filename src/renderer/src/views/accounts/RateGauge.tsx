import type { RateWindow } from '../../api/types.js';
import { formatDuration } from '../../lib/format.js';

const WINDOW_LABEL: Record<string, string> = { minute: 'per minute', hour: 'per hour', day: 'per day' };

/** Used/limit for one sliding window, with the countdown to the next free slot when it is full. */
export function RateGauge({ rate, now }: { rate: RateWindow; now: number }) {
  const label = WINDOW_LABEL[rate.window] ?? `per ${rate.window}`;
  const limited = rate.limit !== null && rate.limit > 0;
  const ratio = limited ? Math.min(1, rate.used / rate.limit!) : 0;
  const level = !limited ? 'none' : ratio >= 1 ? 'full' : ratio >= 0.8 ? 'high' : 'ok';
  const wait = rate.next_free_ts !== null && rate.next_free_ts > now ? rate.next_free_ts - now : 0;
  const full = limited && rate.used >= rate.limit!;
  return (
    <div className={`gauge gauge-${level}`}>
      <div className="gauge-label">{label}</div>
      <div className="gauge-value">
        {rate.used}
        {limited ? <span className="muted"> / {rate.limit}</span> : <span className="muted small"> sent · no limit</span>}
      </div>
      {limited ? (
        <div
          className="gauge-track"
          role="meter"
          aria-label={`Sent ${label}`}
          aria-valuemin={0}
          aria-valuemax={rate.limit!}
          aria-valuenow={Math.min(rate.used, rate.limit!)}
          aria-valuetext={`${rate.used} of ${rate.limit} ${label}`}
        >
          <div className="gauge-fill" style={{ width: `${Math.round(ratio * 100)}%` }} />
        </div>
      ) : null}
      {full ? (
        <div className="gauge-next" aria-live="off">
          {wait > 0 ? `next free slot in ${formatDuration(wait)}` : 'a slot is freeing now'}
        </div>
      ) : null}
    </div>
  );
}

/** The three windows, in order, with a gauge even for windows the API did not report (no limit). */
export function rateWindows(rate: RateWindow[] | undefined, limits: { minute?: number | null; hour?: number | null; day?: number | null }): RateWindow[] {
  return (['minute', 'hour', 'day'] as const).map((w) => {
    const found = rate?.find((r) => r.window === w);
    return found ?? { window: w, used: 0, limit: limits[w] ?? null, next_free_ts: null };
  });
}
