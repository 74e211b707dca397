import { useEffect, useState } from 'react';
import { mailboxList, mailboxQuery, type MailboxKind, type MailboxList as Mailboxes } from '../../../../shared/api/mailboxes.js';
import { formatNumber } from '../../lib/format.js';
import { navigate } from '../../lib/router.js';
import { useRelay } from '../../state/relay-context.js';
import '../../styles/mailboxes.css';

const EMPTY: Mailboxes = { items: [], tenants: [], tags: [] };
const GROUPS: { kind: MailboxKind; label: string }[] = [
  { kind: 'user', label: 'Users' },
  { kind: 'tenant', label: 'Tenants' },
  { kind: 'tag', label: 'Tags' },
];

type Box = { name: string; label: string; unread: number };

function boxesOf(l: Mailboxes, kind: MailboxKind): Box[] {
  if (kind === 'user') return l.items.flatMap((b) => (b.mailbox === null ? [] : [{ name: b.mailbox, label: b.mailbox, unread: b.unread }]));
  // the default tenant's name is '' (mail queued without a tenant)
  const list = kind === 'tenant' ? l.tenants : l.tags;
  return list.map((b) => ({ name: b.name, label: b.name || '(default)', unread: b.unread }));
}

/** The captured mail's mailboxes (SMTP users, queue tenants, tags) with unread counts; a click filters the list by one. */
export function MailboxList({ q }: { q: string }) {
  const { api, stats } = useRelay();
  const [boxes, setBoxes] = useState<Mailboxes>(EMPTY);
  const total = stats?.captured?.total;
  const unread = stats?.captured?.unread;
  useEffect(() => {
    let live = true;
    api.checked(mailboxList, 'GET', '/api/mailboxes').then(
      (l) => live && setBoxes(l),
      () => live && setBoxes(EMPTY),
    );
    return () => {
      live = false;
    };
  }, [api, total, unread]);

  const groups = GROUPS.map((g) => ({ ...g, boxes: boxesOf(boxes, g.kind) })).filter((g) => g.boxes.length > 0);
  if (groups.length === 0) return null;
  const show = (query: string | undefined) => navigate('captured', undefined, { q: query });
  return (
    <nav className="mailbox-list" aria-label="Mailboxes">
      <button type="button" className={q === '' ? 'mailbox active' : 'mailbox'} aria-pressed={q === ''} onClick={() => show(undefined)}>
        All
      </button>
      {groups.map((g) => (
        <div key={g.kind} className="mailbox-group" role="group" aria-label={g.label}>
          <span className="mailbox-group-label muted small">{g.label}</span>
          {g.boxes.map((b) => {
            const query = mailboxQuery(b.name, g.kind);
            return (
              <button key={b.name} type="button" className={q === query ? 'mailbox active' : 'mailbox'} aria-pressed={q === query} onClick={() => show(query)}>
                {b.label}
                {b.unread > 0 ? <span className="mailbox-unread" aria-label={`${b.unread} unread`}>{formatNumber(b.unread)}</span> : null}
              </button>
            );
          })}
        </div>
      ))}
    </nav>
  );
}
