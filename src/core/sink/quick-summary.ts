import type { HeaderValue } from 'mailparser';
import { mailparser } from './mailparser-lazy.js';
import { leadingText, type TextRendering } from './body-text.js';
import { ADDRESS_LISTS, allValues, MIME_FIELDS, readHeaderBlock, type HeaderBlock } from './header-block.js';
import { sketchBody } from './mime-scan.js';
import { decodeMimeWords } from './mime-words.js';
import { digestOf, htmlToSearchText, LIMITS, parseAddresses, previewOf, summaryOf, type MessageDigest, type MessageSummary } from './summary.js';

/*
 * The summary at capture time, from a scan instead of a MIME parse: it gives mailparser's answer on
 * every message of the real-world corpus in test/fixtures/mail (the differential test says where not).
 */

const SUMMARY_FIELDS: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id']);
const CAPTURE_FIELDS: ReadonlySet<string> = new Set([...SUMMARY_FIELDS, ...MIME_FIELDS]);
/** the capture's one header scan also reads X-Tags (every occurrence), for the sink's tags */
const SCAN_FIELDS: ReadonlySet<string> = new Set([...CAPTURE_FIELDS, 'x-tags']);
const SCAN_LISTS: ReadonlySet<string> = new Set([...ADDRESS_LISTS, 'x-tags']);
const MAX_FIELD = LIMITS.subject * 4;

function summaryHeaders(block: HeaderBlock): Map<string, HeaderValue> {
  const headers = new Map<string, HeaderValue>();
  for (const k of SUMMARY_FIELDS) {
    const v = block.fields.get(k);
    if (v === undefined) continue;
    if (k === 'to' || k === 'cc') headers.set(k, allValues(block, k).map(parseAddresses));
    else if (k === 'from') headers.set(k, parseAddresses(v));
    else headers.set(k, decodeMimeWords(v.trim()));
  }
  return headers;
}

/**
 * What mailparser writes into the text before an embedded message's own text: its From, Subject,
 * Date, To, Cc and Bcc lines (the first From and Subject, the last of repeated address headers;
 * an unreadable date is left out, where mailparser writes the time of the parse).
 */
function embeddedHeadersText(block: HeaderBlock): string {
  const lines: string[] = [];
  for (const [key, name] of [['From', 'from'], ['Subject', 'subject'], ['Date', 'date'], ['To', 'to'], ['Cc', 'cc'], ['Bcc', 'bcc']]) {
    const values = allValues(block, name);
    if (!values.length) continue;
    if (name === 'subject') {
      const subject = decodeMimeWords(values[0].trim());
      if (subject) lines.push(`${key}: ${subject}`);
    } else if (name === 'date') {
      const date = new Date(decodeMimeWords(values[0].trim()));
      if (Number.isFinite(date.getTime())) lines.push(`${key}: ${date.toUTCString()}`);
    } else {
      lines.push(`${key}: ${mailparser().parseAddressHeader(name === 'from' ? values[0] : values[values.length - 1]).text}`);
    }
  }
  return `\n${lines.join('\n')}\n`;
}

const RENDER: TextRendering = { html: htmlToSearchText, headers: embeddedHeadersText };

/**
 * Fallback for input mailparser refuses: walks the header block line by line (no copy of the
 * message, values clipped), so a huge or broken header still yields a usable summary.
 */
export function scanHeaderDigest(raw: Buffer): MessageDigest {
  return digestOf(summaryHeaders(readHeaderBlock(raw, 0, raw.length, SUMMARY_FIELDS, MAX_FIELD, ADDRESS_LISTS)), '', 0);
}

/**
 * The summary at capture time, without a MIME parse: the header block, the MIME structure (for
 * the attachment count) and the start of the body text (for the preview), decoded as mailparser
 * decodes them. The background indexer parses every message in full shortly afterwards, for the
 * text that search indexes.
 */
export function quickSummary(raw: Buffer): MessageSummary {
  return summaryFrom(raw, readHeaderBlock(raw, 0, raw.length, CAPTURE_FIELDS, MAX_FIELD, ADDRESS_LISTS));
}

/** quickSummary() and the X-Tags values, from one scan of the header block (the sink's capture path). */
export function captureScan(raw: Buffer): { summary: MessageSummary; xTags: string[] } {
  const top = readHeaderBlock(raw, 0, raw.length, SCAN_FIELDS, MAX_FIELD, SCAN_LISTS);
  return { summary: summaryFrom(raw, top), xTags: allValues(top, 'x-tags') };
}

const PREVIEW_LIMITS = { enough: (t: string) => previewOf(t).length >= LIMITS.preview || t.length >= LIMITS.preview * 4, textBytes: 4 * 1024, htmlBytes: 32 * 1024 };

function summaryFrom(raw: Buffer, top: HeaderBlock): MessageSummary {
  const sketch = sketchBody(raw, top);
  return summaryOf(summaryHeaders(top), sketch.attachments, previewOf(leadingText(raw, sketch, PREVIEW_LIMITS, RENDER)));
}

/** quickSummary() plus a text extract for search, for messages mailparser cannot read. */
export function quickDigest(raw: Buffer): MessageDigest {
  const top = readHeaderBlock(raw, 0, raw.length, CAPTURE_FIELDS, MAX_FIELD, ADDRESS_LISTS);
  const sketch = sketchBody(raw, top);
  const bytes = LIMITS.searchText * 4;
  return digestOf(summaryHeaders(top), leadingText(raw, sketch, { enough: (t) => t.length >= LIMITS.searchText, textBytes: bytes, htmlBytes: bytes }, RENDER), sketch.attachments);
}
