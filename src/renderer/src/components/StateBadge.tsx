import { formatDateTime } from '../lib/format.js';
import '../styles/outcome.css';

/**
 * A message's delivery outcome, and, once the application acknowledged it, a small `reported` mark
 * beside it: the report never hides the outcome (a reported error is still an error).
 */
export function StateBadge({ state, sandbox, reportedTs }: { state: string; sandbox?: boolean; reportedTs?: number | null }) {
  const reported = reportedTs !== undefined && reportedTs !== null;
  return (
    <>
      <span className={`badge state-${state}`} title={sandbox ? `${state} (sandbox)` : state}>
        {state}
        {sandbox && state !== 'queued' ? <span className="badge-sub"> · sandbox</span> : null}
      </span>
      {reported ? (
        <span className="reported-mark" title={`Reported to the application ${formatDateTime(reportedTs)}`}>
          ✓ reported
        </span>
      ) : null}
    </>
  );
}
