import type { Attachment, ParsedMail } from 'mailparser';
import { mailparser } from './mailparser-lazy.js';
import { decodeMimeWords, headerText } from './mime-words.js';

export interface InspectedAttachment {
  /** position in the message, used by GET /api/captured/{id}/attachments/{index} */
  index: number;
  filename: string | null;
  content_type: string;
  size: number;
  cid: string | null;
  /** an image the HTML body shows itself (cid:), rather than a file attached to the message */
  inline: boolean;
}

export interface InspectedMessage {
  headers: { key: string; value: string }[];
  text: string | null;
  /** HTML body as sent: cid: references are kept (see GET /api/captured/{id}/html for a renderable copy) */
  html: string | null;
  attachments: InspectedAttachment[];
  /** set when the message could not be parsed as MIME; headers then come from a plain scan */
  parse_error?: string;
}

/** longer header values are clipped in the view (the raw source keeps them whole) */
const MAX_HEADER_VALUE = 16 * 1024;

const PARSE_OPTIONS = { skipTextLinks: true, skipTextToHtml: true } as const;

function headerList(raw: Buffer): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  let pos = 0;
  while (pos < raw.length) {
    let nl = raw.indexOf(0x0a, pos);
    if (nl < 0) nl = raw.length;
    let lineEnd = nl;
    if (lineEnd > pos && raw[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) break;
    const line = headerText(raw.subarray(pos, Math.min(lineEnd, pos + MAX_HEADER_VALUE)));
    if ((line[0] === ' ' || line[0] === '\t') && out.length) {
      const last = out[out.length - 1];
      if (last.value.length < MAX_HEADER_VALUE) last.value += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) out.push({ key: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
    }
    pos = nl + 1;
  }
  return out.map((h) => ({ key: h.key, value: decodeMimeWords(h.value.slice(0, MAX_HEADER_VALUE)) }));
}

function isInline(a: Attachment): boolean {
  return !!a.related && a.contentDisposition !== 'attachment';
}

function describe(a: Attachment, index: number): InspectedAttachment {
  return {
    index,
    filename: a.filename ?? null,
    content_type: a.contentType,
    size: a.size,
    cid: a.cid ?? null,
    inline: isInline(a),
  };
}

async function parse(raw: Buffer, keepCidLinks: boolean): Promise<ParsedMail> {
  return mailparser().simpleParser(raw, { ...PARSE_OPTIONS, keepCidLinks, skipImageLinks: keepCidLinks });
}

/** Full view of a captured message, parsed on demand from its raw source. */
export async function inspectMessage(raw: Buffer): Promise<InspectedMessage> {
  const headers = headerList(raw);
  let parsed: ParsedMail;
  try {
    parsed = await parse(raw, true);
  } catch (err) {
    return {
      headers,
      text: null,
      html: null,
      attachments: [],
      parse_error: err instanceof Error ? err.message : String(err),
    };
  }
  return {
    headers,
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    attachments: parsed.attachments.map(describe),
  };
}

/** One attachment's content, by its position in the message. */
export async function attachmentAt(
  raw: Buffer,
  index: number,
): Promise<(InspectedAttachment & { content: Buffer }) | null> {
  const parsed = await parse(raw, true);
  const a = parsed.attachments[index];
  return a ? { ...describe(a, index), content: a.content } : null;
}

/** The HTML body with cid: images inlined as data: URIs, ready for a sandboxed frame; null without HTML. */
export async function renderableHtml(raw: Buffer): Promise<string | null> {
  const parsed = await parse(raw, false);
  return typeof parsed.html === 'string' ? parsed.html : null;
}
