import { describe, expect, it } from 'vitest';
import { addressList } from '../../src/core/messages/normalise.js';
import { payloadIssue } from '../../src/core/messages/validate.js';
import type { MessagePayload } from '../../src/core/messages/types.js';
import { releasePayload } from '../../src/core/sink/release.js';
import { parseCapturedSearch } from '../../src/core/sink/search-query.js';
import { htmlToSearchText, parseAddresses } from '../../src/core/sink/summary.js';
import { ftsQuery } from '../../src/core/store/sqlite/fts-query.js';
import { sendBody } from '../../src/shared/api/send.js';
import { capturedFixture } from '../support/captured/captured-fixture.js';

/**
 * Every regular expression that sees user input, fed generated worst cases: long runs of the class a
 * quantifier repeats, with the near-miss that forces backtracking at the end. A quadratic or worse
 * pattern takes seconds on these; a linear one a few milliseconds.
 */

const N = 64 * 1024;
/** generous for two loaded cores; the quadratic versions took 0.7 s to 49 s on these inputs */
const BUDGET_MS = 250;
/** Node's request line limit (16 KB of headers) bounds the search's `q` */
const URL_SIZED = 16 * 1024;
/** the HTML of a captured message is clipped to 128 KB before its markup is dropped */
const HTML_SIZED = 128 * 1024;

/** runs of each piece, each followed by each near-miss ending */
function worstCases(pieces: string[], endings: string[], length = N): string[] {
  return pieces.flatMap((p) => endings.map((e) => p.repeat(Math.ceil(length / p.length)) + e));
}

/** CPU time, not wall time: a loaded machine delays the test, it does not make the pattern do more work */
function cpuMs(f: () => unknown): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function timed(name: string, inputs: string[], f: (s: string) => unknown): void {
  // the first call may load a module on first use (parseAddresses' libmime): that is not the pattern's time
  if (inputs[0] !== undefined) f(inputs[0]);
  for (const input of inputs) {
    // a second try when over budget: a garbage collection can land in one; a quadratic pattern fails both
    const first = cpuMs(() => f(input));
    const ms = first < BUDGET_MS ? first : cpuMs(() => f(input));
    expect(ms, `${name}: ${JSON.stringify(input.slice(0, 12))}… (${input.length} chars)`).toBeLessThan(BUDGET_MS);
  }
}

const RUNS = [' ', '\t', 'a', '.', '@', '<', '>', '"', ':', 'a ', 'a@', 'a<', '<a', '"a', '\\', '=', '<!--', '<style', '<script>', 'a:"', '/'];
const ENDINGS = ['', '!', 'x', '\u0000', '<', '>', '"', '@', ' <a@b', '\n'];

const payload = (over: Partial<MessagePayload>): MessagePayload => ({
  id: 'm',
  account_id: 'acc',
  from: 'a@example.com',
  to: ['b@example.com'],
  subject: 's',
  body: 'b',
  content_type: 'plain',
  priority: 2,
  ...over,
});
const captured = (from: string) => ({ ...capturedFixture(1, { mail_from: '', from }), id: 1, read: false, relay_message_id: null, relay_tenant_id: null });
const rules = { accountExists: () => true, accountRequired: true };
const sendShape = (over: object) => ({ from: 'a@example.com', to: 'b@example.com', subject: 's', body_text: 'b', ...over });

describe('regular expressions on user input: generated worst cases answer in linear time', () => {
  const inputs = worstCases(RUNS, ENDINGS);

  it('the intake: header names, CR/LF, base64, urls, cid and filename', () => {
    timed('header name', inputs, (s) => payloadIssue(payload({ headers: { [s]: 'v' } }), rules));
    timed('header value', inputs, (s) => payloadIssue(payload({ headers: { 'X-A': s } }), rules));
    timed('base64', inputs, (s) => payloadIssue(payload({ attachments: [{ content: s }] }), rules));
    timed('url', inputs, (s) => payloadIssue(payload({ attachments: [{ url: s }] }), rules));
    timed('cid and filename', inputs, (s) => payloadIssue(payload({ attachments: [{ content: 'aGk=', cid: s, filename: s }] }), rules));
  });

  it('the address lists of add-messages', () => {
    timed('addressList', inputs, addressList);
    timed('addressList, array', inputs, (s) => addressList([s, s]));
    // over the limit: kept whole for the validation to refuse, never parsed
    timed('addressList, over the limit', worstCases(['a,', '"a', '<a'], ['!'], 16 * N), addressList);
    timed('too long', worstCases(['a,', 'a'], ['!'], 16 * N), (s) => expect(payloadIssue(payload({ to: addressList(s) }), rules)?.rule).toBe('too_long'));
  });

  it('POST /api/send: mailboxes, header names, attachments', () => {
    timed('mailbox', inputs, (s) => sendBody.safeParse(sendShape({ to: s })));
    timed('from', inputs, (s) => sendBody.safeParse(sendShape({ from: s })));
    timed('header', inputs, (s) => sendBody.safeParse(sendShape({ headers: { [s]: s } })));
    timed('attachment', inputs, (s) => sendBody.safeParse(sendShape({ attachments: [{ content: s, filename: s, cid: s }] })));
  });

  it("the sink's search parser and its FTS query", () => {
    const inputs = worstCases(RUNS, ENDINGS, URL_SIZED);
    timed('parseCapturedSearch', inputs, parseCapturedSearch);
    timed('ftsQuery', inputs, (s) => ftsQuery(parseCapturedSearch(s).terms));
    timed('ftsQuery, one term', inputs, (s) => ftsQuery([{ field: 'any', text: s }]));
  });

  it("captured mail: the address fast path (header-sized), the search text of HTML, a release's sender", () => {
    const headerSized = worstCases(RUNS, ENDINGS, 4000);
    timed('parseAddresses', headerSized, parseAddresses);
    timed('htmlToSearchText', worstCases(RUNS, ENDINGS, HTML_SIZED), htmlToSearchText);
    timed('releasePayload', headerSized, (s) => releasePayload(captured(s), { account_id: 'acc' }, 'r1'));
  });
});
