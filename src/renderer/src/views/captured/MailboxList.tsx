import { useEffect, useState } from 'react';
import { mailboxList, mailboxQuery, type MailboxSummary } from '../../../../shared/api/mailboxes.js';
import { formatNumber } from '../../lib/format.js';
import { navigate } from '../../lib/router.js';
import { useRelay } from '../../state/relay-context.js';
import '../../styles/mailboxes.css';

/** The captured mail's mailboxes (SMTP usernames) with unread counts; a click filters the list by one. */
export function MailboxList({ q }: { q: string }) {
  const { api, stats } = useRelay();
  const [boxes, setBoxes] = useState<MailboxSummary[]>([]);
  const total = stats?.captured?.total;
  const unread = stats?.captured?.unread;
  useEffect(() => {
    let live = true;
    api.checked(mailboxList, 'GET', '/api/mailboxes').then(
      (l) => live && setBoxes(l.items),
      () => live && setBoxes([]),
    );
    return () => {
      live = false;
    };
  }, [api, total, unread]);

  const named = boxes.filter((b): b is MailboxSummary & { mailbox: string } => b.mailbox !== null);
  if (named.length === 0) return null;
  const show = (query: string | undefined) => navigate('captured', undefined, { q: query });
  return (
    <nav className="mailbox-list" aria-label="Mailboxes">
      <button type="button" className={q === '' ? 'mailbox active' : 'mailbox'} aria-pressed={q === ''} onClick={() => show(undefined)}>
        All
      </button>
      {named.map((b) => {
        const query = mailboxQuery(b.mailbox);
        return (
          <button key={b.mailbox} type="button" className={q === query ? 'mailbox active' : 'mailbox'} aria-pressed={q === query} onClick={() => show(query)}>
            {b.mailbox}
            {b.unread > 0 ? <span className="mailbox-unread" aria-label={`${b.unread} unread`}>{formatNumber(b.unread)}</span> : null}
          </button>
        );
      })}
    </nav>
  );
}
