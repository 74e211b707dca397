import { useEffect, useState } from 'react';
import type { HtmlCheckAnswer } from '../../../../shared/api/index.js';
import { htmlCheck } from '../../api/captured-tools.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay } from '../../state/relay-context.js';
import '../../styles/captured-tools.css';

const scoreClass = (score: number) => (score >= 90 ? 'good' : score >= 60 ? 'fair' : 'poor');

/** The HTML body against caniemail's client-support data (checked on the relay; nothing leaves the machine). */
export function HtmlCheckTab({ id }: { id: number }) {
  const { api } = useRelay();
  const [check, setCheck] = useState<HtmlCheckAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    htmlCheck(api, id).then(
      (c) => live && setCheck(c),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, id]);
  if (error) return <ErrorNote error={error} />;
  if (!check) return <p className="muted pad">Checking the HTML against email clients…</p>;
  return (
    <div className="html-check pad">
      <div className="html-check-score">
        <span className={`score ${scoreClass(check.score)}`} aria-label={`Score ${check.score} of 100`}>
          {check.score}
        </span>
        <p>
          <strong>Compatibility score</strong>
          <br />
          <span className="muted small">
            Share of {check.clients_checked} email clients that support every HTML and CSS feature this message uses (partial support counts half). Source: {check.source}.
          </span>
        </p>
      </div>
      {check.families.length === 0 ? <p>No unsupported feature found.</p> : null}
      {check.families.map((f) => (
        <section key={f.family} className="html-check-family" aria-label={`Client family ${f.family}`}>
          <h3>
            {f.name} <span className="muted small">({f.clients.length} client{f.clients.length === 1 ? '' : 's'})</span>
          </h3>
          <ul>
            {f.issues.map((i) => (
              <li key={`${i.support}-${i.feature}`} className={`issue ${i.support}`}>
                <span className="issue-support">{i.support === 'none' ? 'Not supported' : 'Partial'}</span> <code>{i.feature}</code>
                <span className="muted small"> · {i.clients.map((c) => c.slice(c.indexOf('.') + 1)).join(', ')}</span>
                {i.notes.length ? <span className="muted small issue-notes">{i.notes.join(' ')}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {check.clients_without_data.length ? (
        <p className="muted small">No data for some features in: {check.clients_without_data.join(', ')} (left out of the score).</p>
      ) : null}
    </div>
  );
}
