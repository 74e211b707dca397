import type { MessageEvent } from '../../api/types.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';
import { describeEvent } from './timeline-format.js';

export function Timeline({ events, now }: { events: MessageEvent[]; now: number }) {
  if (events.length === 0) return <p className="muted">No events recorded.</p>;
  return (
    <ol className="timeline" aria-label="Lifecycle timeline">
      {events.map((ev, i) => {
        const e = describeEvent(ev, i);
        return (
          <li key={e.key} className={`tl-item tone-${e.tone}`}>
            <div className="tl-head">
              <span className="tl-title">{e.title}</span>
              <time dateTime={new Date(e.ts * 1000).toISOString()} title={formatRelative(e.ts, now)}>
                {formatDateTime(e.ts)}
              </time>
            </div>
            {e.lines.length > 0 ? (
              <dl className="tl-lines">
                {e.lines.map((l, j) => (
                  <div key={j}>
                    <dt>{l.label}</dt>
                    <dd>{l.value}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
