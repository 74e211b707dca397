/**
 * The application's local tables: email.account, email.message (outgoing rows) and the
 * email.message_to_send queue, with newMessage as message.py builds a row. It owns the state that
 * the sync receiver, the push and the facade share; it makes no HTTP calls.
 */
import { withAccountDefaults, type GenropyAccount, type OutboxMessage, type OutboxStatus } from './model.js';
import { genropyId } from './py.js';

/** What a test asks the application to send (the arguments of Message.newMessage). */
export interface MailSpec {
  id?: string;
  account_id?: string | null;
  /** free text ("Ann <ANN@x.org>, bob@x.org") or a list */
  to?: string | string[] | null;
  from?: string | null;
  cc?: string | string[] | null;
  bcc?: string | string[] | null;
  subject?: string | null;
  body?: string | null;
  html?: boolean;
  /** proxy_priority: 0-3 or null */
  priority?: number | null;
  /** epoch seconds */
  deferred_ts?: number | null;
  batch_code?: string | null;
  /** headers_kwargs: merged into extra_headers after message_id and message_date */
  headers?: Record<string, unknown>;
  message_id?: string | null;
  /** defaults to the clock's date, as db.workdate */
  message_date?: string;
  /** storage paths `volume:path` */
  attachments?: string[];
}

export class Outbox {
  readonly accounts = new Map<string, GenropyAccount>();
  private readonly messages = new Map<string, OutboxMessage>();
  /** message_to_send: message id -> insertion order (__ins_ts) */
  private readonly queue = new Map<string, number>();
  private seq = 0;

  /** Inserts or updates an account; answers whether it was new. */
  saveAccount(a: GenropyAccount): boolean {
    const existing = this.accounts.get(a.id);
    this.accounts.set(a.id, existing ? { ...existing, ...a } : withAccountDefaults(a));
    return !existing;
  }

  deleteAccount(id: string): boolean {
    return this.accounts.delete(id);
  }

  /** newMessage + trigger_onInserting/onInserted: the row, its from/bcc defaults, its queue entry. */
  newMessage(spec: MailSpec, today: string): OutboxMessage {
    const account = spec.account_id ? this.accounts.get(spec.account_id) : undefined;
    let bcc = spec.bcc ?? null;
    if (account) {
      const systemBcc = account.system_bcc ?? null;
      const text = (Array.isArray(bcc) ? bcc.join(',') : bcc) || systemBcc || '';
      bcc = systemBcc && !text.includes(systemBcc) ? (text ? `${text},${systemBcc}` : systemBcc) : text || null;
    }
    const message: OutboxMessage = {
      id: spec.id ?? genropyId(),
      account_id: spec.account_id ?? null,
      from_address: spec.from || account?.smtp_from_address || null,
      to_address: spec.to ?? null,
      cc_address: spec.cc ?? null,
      bcc_address: bcc,
      subject: spec.subject ?? null,
      body: spec.body ?? null,
      html: spec.html ?? false,
      proxy_priority: spec.priority ?? null,
      deferred_ts: spec.deferred_ts ?? null,
      extra_headers: { message_id: spec.message_id ?? null, message_date: spec.message_date ?? today, ...spec.headers },
      batch_code: spec.batch_code ?? null,
      attachments: [...(spec.attachments ?? [])],
      proxy_ts: null,
      send_date: null,
      error_ts: null,
      error_msg: null,
      sending_attempt: [],
    };
    if (this.messages.has(message.id)) throw new Error(`duplicate message id ${message.id}`);
    this.messages.set(message.id, message);
    this.enqueue(message.id);
    return message;
  }

  /** The live row (the receiver and the push change it in place). */
  row(id: string): OutboxMessage | undefined {
    return this.messages.get(id);
  }

  /** A copy of the row with its status, for assertions. */
  get(id: string): (OutboxMessage & { status: OutboxStatus }) | undefined {
    const m = this.messages.get(id);
    return m && { ...structuredClone(m), status: this.status(id) };
  }

  all(): (OutboxMessage & { status: OutboxStatus })[] {
    return [...this.messages.keys()].flatMap((id) => this.get(id) ?? []);
  }

  status(id: string): OutboxStatus {
    const m = this.messages.get(id);
    if (!m) return 'idle';
    if (m.send_date !== null) return 'sent';
    if (this.queue.has(id)) return 'queued';
    if (m.error_ts !== null) return 'error';
    if (m.proxy_ts !== null) return 'at_proxy';
    return 'idle';
  }

  /** addMessageToQueue: answers true when the row was inserted (its commit then fires run-now). */
  enqueue(id: string): boolean {
    if (this.queue.has(id)) return false;
    this.queue.set(id, ++this.seq);
    return true;
  }

  dequeue(ids: string[]): void {
    for (const id of ids) this.queue.delete(id);
  }

  /** The queue as proxy_sync reads it: COALESCE(priority, 2), then insertion order, at most `limit`. */
  queued(limit = Number.POSITIVE_INFINITY): string[] {
    const prio = (id: string) => this.messages.get(id)?.proxy_priority ?? 2;
    return [...this.queue.entries()]
      .sort(([a, sa], [b, sb]) => prio(a) - prio(b) || sa - sb)
      .slice(0, limit)
      .map(([id]) => id);
  }

  get queueLength(): number {
    return this.queue.size;
  }
}
