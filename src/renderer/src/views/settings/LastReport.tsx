import type { ReportOutcome, ReportStatus } from '../../api/types.js';
import { useNow } from '../../hooks/useNow.js';
import { formatDateTime, formatRelative, formatTime } from '../../lib/format.js';

function Outcome({ r }: { r: ReportOutcome }) {
  return (
    <span className={r.ok ? 'ok' : 'bad'}>
      {r.ok ? '✓ Last sync succeeded' : '✗ Last sync failed'} at {formatDateTime(r.ts)}
      {` · ${r.sent} reported`}
      {r.status ? ` · HTTP ${r.status}` : ''}
      {r.error ? ` · ${r.error}` : ''}
    </span>
  );
}

/**
 * How delivery reporting stands. Takes the report loop's status (GET /api/stats) or the outcome of
 * one sync (SSE `report`), whichever is newer.
 */
export function LastReport({ report, latest, compact }: {
  report: ReportStatus | null | undefined;
  latest?: ReportOutcome | null;
  /** one short phrase, for the status bar */
  compact?: boolean;
}) {
  const now = useNow(1000);
  if (compact) return <CompactReport report={report} />;
  if (!report) return latest ? <Outcome r={latest} /> : <span className="muted">No delivery report sent yet.</span>;
  const s = report;
  const last = latest && (!s.last || latest.ts >= s.last.ts) ? latest : s.last;
  const next = s.next_attempt_ts && s.next_attempt_ts > now ? ` · next sync ${formatRelative(s.next_attempt_ts, now)}` : '';
  switch (s.state) {
    case 'disabled':
      return <span className="muted">Not configured: final outcomes are kept, not reported.</span>;
    case 'paused':
      return <span className="muted">Paused with dispatch{last ? ` · last sync ${formatDateTime(last.ts)}` : ''}.</span>;
    case 'idle':
      return <span className="muted">No sync yet{next}.</span>;
    case 'failing':
      return (
        <span className="bad">
          ✗ Failing{s.failing_since ? ` since ${formatDateTime(s.failing_since)}` : ''}
          {s.consecutive_failures ? ` (${s.consecutive_failures} attempts)` : ''}
          {s.last_error ? `: ${s.last_error}` : ''}
          {next}
        </span>
      );
    default:
      return last ? (
        <span>
          <Outcome r={last} />
          <span className="muted">{next}</span>
        </span>
      ) : (
        <span className="ok">✓ Reporting{next}</span>
      );
  }
}

function CompactReport({ report }: { report: ReportStatus | null | undefined }) {
  if (!report) return null;
  if (report.state === 'failing') return <span className="bad">reports failing</span>;
  if (report.state === 'ok' && report.last) return <span className="ok">reports ✓ {formatTime(report.last.ts)}</span>;
  if (report.state === 'paused') return <span>reports paused</span>;
  return null;
}
