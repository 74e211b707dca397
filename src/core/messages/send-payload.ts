import type { z } from 'zod';
import type { sendBody } from '../../shared/api/send.js';
import type { MessagePayload } from './types.js';

/** A ProtoPost-style send (POST /api/send) once the shared schema parsed it: addresses as lists. */
export type SendRequest = z.infer<typeof sendBody>;

/** The queued form of a send: immediate priority; an HTML body carries the text one as its alternative. */
export function sendPayload(b: SendRequest, id: string): MessagePayload {
  const html = b.body_html !== undefined;
  const p: MessagePayload = {
    id,
    from: b.from,
    to: b.to,
    subject: b.subject,
    body: html ? b.body_html! : (b.body_text ?? ''),
    content_type: html ? 'html' : 'plain',
    priority: 0,
  };
  if (html && b.body_text !== undefined) p.body_text = b.body_text;
  if (b.account_id) p.account_id = b.account_id;
  if (b.cc?.length) p.cc = b.cc;
  if (b.bcc?.length) p.bcc = b.bcc;
  if (b.reply_to) p.reply_to = b.reply_to;
  if (b.headers && Object.keys(b.headers).length) p.headers = b.headers;
  if (b.attachments?.length) p.attachments = b.attachments;
  return p;
}
