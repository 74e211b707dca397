import type { Logger } from 'pino';
import { nowSec, type Clock } from '../clock.js';
import type { CapturedAnnouncement, RelayBus } from '../events.js';
import type { CapturedSummary } from '../store/ports.js';
import type { CaptureWriter } from './capture-writer.js';
import { messageTags } from './emulation/tags.js';
import { quickSummary } from './quick-summary.js';
import type { MessageSummary } from './summary.js';

/** The SMTP session facts kept with a captured message. */
export interface CaptureEnvelope {
  mail_from: string;
  rcpt_to: string[];
  /** AUTH username, if the client authenticated */
  mailbox: string | null;
  remote_address: string | null;
  helo: string | null;
  tls: boolean;
  /** X-Tags and plus-address tags, when the caller has them already; computed otherwise */
  tags?: string[];
}

const MAX_MAILBOX = 200;

export function announcementOf(c: CapturedSummary): CapturedAnnouncement {
  return {
    id: c.id,
    received_ts: c.received_ts,
    from: c.from || c.mail_from,
    to: c.to.length ? c.to : c.rcpt_to,
    subject: c.subject,
    size: c.size,
    attachments: c.attachments,
    mailbox: c.mailbox,
    relay_message_id: c.relay_message_id,
  };
}

/**
 * Stores one complete message: a scan of its headers and MIME structure (no full parse: the
 * background indexer adds the text to the search index later), then summary + source, committed
 * (group commit, see CaptureWriter), then the announcement. Throws only when the message could not
 * be stored.
 */
export interface CaptureDeps {
  clock: Clock;
  bus: Pick<RelayBus, 'emit'>;
  logger: Logger;
}

/** `summary`: the quickSummary() of `raw` when the caller scanned it already (the sink's one scan). */
export async function captureMessage(deps: CaptureDeps, writer: CaptureWriter, raw: Buffer, env: CaptureEnvelope, summary?: MessageSummary): Promise<CapturedSummary> {
  const captured = await writer.write(
    {
      ...(summary ?? quickSummary(raw)),
      received_ts: nowSec(deps.clock),
      mail_from: env.mail_from,
      rcpt_to: env.rcpt_to,
      size: raw.length,
      mailbox: env.mailbox ? env.mailbox.slice(0, MAX_MAILBOX) : null,
      tags: env.tags ?? messageTags(raw, env.rcpt_to),
      remote_address: env.remote_address,
      helo: env.helo ? env.helo.slice(0, MAX_MAILBOX) : null,
      tls: env.tls,
    },
    raw,
  );
  try {
    deps.bus.emit('captured', announcementOf(captured));
  } catch (err) {
    // a faulty listener must not turn a stored message into an SMTP failure
    deps.logger.error({ err }, 'captured listener failed');
  }
  return captured;
}
