import type { HeaderValue } from 'mailparser';
import { mailparser } from './mailparser-lazy.js';
import { quickDigest } from './quick-summary.js';
import { digestOf, htmlToSearchText, type MessageDigest } from './summary.js';

const PARSE_TIMEOUT_MS = 20_000;

function bodyText(text: string | undefined, html: string | false | undefined): string {
  if (text && text.trim()) return text;
  return html ? htmlToSearchText(html) : '';
}

/**
 * Parses a message once for its summary: headers, attachment count and a bounded text extract.
 * Attachment bodies are streamed through and dropped, HTML is not converted by mailparser
 * (a regex strip is enough for search). Malformed input never fails: when mailparser gives up
 * (e.g. an oversized header), the message is read with the capture-time scan instead.
 */
export async function summarizeMessage(raw: Buffer): Promise<MessageDigest> {
  return (await digestForIndex(raw)).digest;
}

/** summarizeMessage() plus the attachments' file names, which the search index records too. */
export function digestForIndex(raw: Buffer): Promise<{ digest: MessageDigest; filenames: string[] }> {
  return new Promise((resolve) => {
    const parser = new (mailparser().MailParser)({
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      checksumAlgo: false,
    });
    let headers = new Map<string, HeaderValue>();
    let body = '';
    let attachments = 0;
    const filenames: string[] = [];
    let settled = false;
    // mailparser always ends or fails on its input; should it ever do neither, the capture still goes on
    const guard = setTimeout(() => finish(quickDigest(raw), []), PARSE_TIMEOUT_MS);
    guard.unref();
    const finish = (digest: MessageDigest, names: string[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve({ digest, filenames: names });
    };
    parser.on('headers', (h: Map<string, HeaderValue>) => {
      headers = h;
    });
    parser.on('data', (data) => {
      if (data.type === 'attachment') {
        if (!(data.related && data.contentDisposition !== 'attachment')) attachments++;
        if (data.filename) filenames.push(data.filename.slice(0, 500));
        data.content.on('end', () => data.release?.());
        data.content.resume();
      } else {
        body = bodyText(data.text, data.html);
      }
    });
    parser.on('end', () => finish(digestOf(headers, body, attachments), filenames.slice(0, 200)));
    parser.on('error', () => {
      parser.removeAllListeners('data');
      finish(quickDigest(raw), []);
    });
    parser.end(raw);
  });
}
