import { accountsPage, verifyResult } from './accounts.js';
import {
  capturedAttachmentQuery,
  capturedDetail,
  capturedHtmlQuery,
  capturedPage,
  deleteAllCapturedAnswer,
  deleteCapturedQuery,
  listCapturedQuery,
  releaseAnswer,
  releaseBody,
} from './captured.js';
import { okAnswer } from './common.js';
import { eventFrames } from './events.js';
import { listMessagesQuery, messageDetail, messagesPage, retryAnswer } from './messages.js';
import { attachmentParams, body, idParams, json, raw, RELAY_401, RELAY_403, relayFail, type ApiRoute } from './route-kit.js';
import { tenantQuery } from './tenants.js';

import { sendAccepted, sendBody, sendOutcome, sendQuery } from './send.js';
import { settingsPatch, settingsView } from './settings.js';
import { statsAnswer } from './stats.js';

/** the relay's own routes: the admin token only (a tenant token gets 403) */
const ADMIN_TOKEN = { ...RELAY_401, ...RELAY_403 };

/** The relay's own routes. */
export const RELAY_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/api/messages',
    summary: 'Messages, newest first (summaries only)',
    request: { query: listMessagesQuery },
    responses: { 200: json(messagesPage, 'a page'), ...ADMIN_TOKEN, 422: relayFail('invalid filter') },
  },
  {
    method: 'get',
    path: '/api/messages/{id}',
    summary: 'One message (of the default tenant, or ?tenant_id=) with its event timeline (a body over 64 KiB is clipped)',
    request: { params: idParams, query: tenantQuery },
    responses: { 200: json(messageDetail, 'the message'), ...ADMIN_TOKEN, 404: relayFail('unknown id') },
  },
  {
    method: 'delete',
    path: '/api/messages/{id}',
    summary: 'Delete a message (of the default tenant, or ?tenant_id=), whatever its state',
    request: { params: idParams, query: tenantQuery },
    responses: { 200: json(okAnswer, 'deleted'), ...ADMIN_TOKEN, 404: relayFail('unknown id') },
  },
  {
    method: 'post',
    path: '/api/messages/{id}/retry',
    summary: 'Queue a failed or waiting message (of the default tenant, or ?tenant_id=) for an immediate new attempt (fresh retry budget)',
    request: { params: idParams, query: tenantQuery },
    responses: {
      200: json(retryAnswer, 'queued again'),
      ...ADMIN_TOKEN,
      404: relayFail('unknown message'),
      409: relayFail('the message is queued, being sent or was sent'),
    },
  },
  {
    method: 'get',
    path: '/api/accounts',
    summary: 'SMTP accounts (no passwords) with live delivery state',
    description:
      'rate: per window (minute, hour, day) the sends counted in the sliding window including those in flight, the limit, and when the next slot frees (null when one is free). in_flight: sends in progress; backoff_until: the account is held back after a connection failure.',
    responses: { 200: json(accountsPage, 'accounts'), ...ADMIN_TOKEN },
  },
  {
    method: 'post',
    path: '/api/accounts/{id}/verify',
    summary: 'Connect (and authenticate when credentials are set) with the settings of the account (of the default tenant, or ?tenant_id=)',
    description: 'stage names what failed: connect (TCP, greeting, timeouts), tls (handshake, certificate, STARTTLS), auth; ok on success.',
    request: { params: idParams, query: tenantQuery },
    responses: { 200: json(verifyResult, 'verification result (ok false says what failed)'), ...ADMIN_TOKEN, 404: relayFail('unknown account') },
  },
  {
    method: 'get',
    path: '/api/settings',
    summary: 'Runtime settings (secrets shown only as *_set)',
    responses: { 200: json(settingsView, 'settings'), ...ADMIN_TOKEN },
  },
  {
    method: 'patch',
    path: '/api/settings',
    summary: 'Change runtime settings (persisted; take effect at once)',
    request: { body: body(settingsPatch) },
    responses: { 200: json(settingsView, 'settings'), ...ADMIN_TOKEN, 422: relayFail('invalid value (names the field)') },
  },
  {
    method: 'get',
    path: '/api/stats',
    summary: 'Counts by state, per account; report status',
    responses: { 200: json(statsAnswer, 'stats'), ...ADMIN_TOKEN },
  },
  {
    method: 'get',
    path: '/api/captured',
    summary: 'Captured mail, newest first (summaries only)',
    description:
      'q: words match subject, addresses, text and attachment names (prefix, all required); "quoted phrase"; -term or !term excludes; operators (Mailpit\'s) from: to: subject: body: cc: bcc: message-id: filename: mailbox: (or tag:) is:read is:unread has:attachment before: after: (received; a date, UTC unless zoned) larger: smaller: (bytes, kb, mb). ' +
      'A search answers `warnings` (an unknown operator, searched as text; a bad date or size, ignored) and, with count=1, `matched` (every match counted). ' +
      'Message text is indexed in the background; a search first waits (up to 5 s) for the messages captured so far, and reports in `unindexed` how many it could not wait for.',
    request: { query: listCapturedQuery },
    responses: { 200: json(capturedPage, 'a page, with the total and unread counts'), ...ADMIN_TOKEN, 422: relayFail('invalid query') },
  },
  {
    method: 'delete',
    path: '/api/captured',
    summary: 'Delete captured mail: the ids given, else what the search q matches, else all of it',
    request: { query: deleteCapturedQuery },
    responses: { 200: json(deleteAllCapturedAnswer, 'removed'), ...ADMIN_TOKEN, 422: relayFail('invalid ids or query') },
  },
  {
    method: 'get',
    path: '/api/captured/{id}',
    summary: 'One captured message: summary, headers, text, html (cid: links kept), attachment list; marks it read',
    request: { params: idParams },
    responses: { 200: json(capturedDetail, 'the message'), ...ADMIN_TOKEN, 404: relayFail('unknown id') },
  },
  {
    method: 'get',
    path: '/api/captured/{id}/raw',
    summary: 'Raw source (message/rfc822, downloaded as .eml); token may be given as ?token=',
    request: { params: idParams },
    responses: { 200: raw('message/rfc822', 'the message as received'), ...ADMIN_TOKEN, 404: relayFail('unknown id') },
  },
  {
    method: 'get',
    path: '/api/captured/{id}/html',
    summary:
      'HTML body for a sandboxed frame: cid: images inlined, scripts and remote loads blocked by CSP (remote=1 allows remote images and styles); token may be given as ?token=',
    request: { params: idParams, query: capturedHtmlQuery },
    responses: { 200: raw('text/html', 'the HTML body'), ...ADMIN_TOKEN, 404: relayFail('unknown id or no HTML body'), 422: relayFail('invalid query') },
  },
  {
    method: 'get',
    path: '/api/captured/{id}/attachments/{index}',
    summary: 'One attachment (downloaded; inline=1 shows images in place); token may be given as ?token=',
    request: { params: attachmentParams, query: capturedAttachmentQuery },
    responses: {
      200: raw('application/octet-stream', 'the attachment (its own content type)'),
      ...ADMIN_TOKEN,
      404: relayFail('unknown id or index'),
      422: relayFail('invalid query'),
    },
  },
  {
    method: 'delete',
    path: '/api/captured/{id}',
    summary: 'Delete one captured message',
    request: { params: idParams },
    responses: { 200: json(okAnswer, 'deleted'), ...ADMIN_TOKEN, 404: relayFail('unknown id') },
  },
  {
    method: 'post',
    path: '/api/captured/{id}/release',
    summary: 'Queue a captured message for real delivery (whatever the mode), through the given account',
    request: { params: idParams, body: body(releaseBody) },
    responses: {
      202: json(releaseAnswer, 'the new queue entry'),
      ...ADMIN_TOKEN,
      404: relayFail('unknown captured id or account'),
      422: relayFail('invalid body'),
    },
  },
  {
    method: 'post',
    path: '/api/send',
    summary: 'Send one message (ProtoPost-style), queued at immediate priority',
    description:
      'With ?wait=N (seconds, at most 30) the answer waits for the final outcome: 200 {id, state: sent|error, ...}; otherwise, or when the wait runs out, 202 {id, state}.',
    request: { query: sendQuery, body: body(sendBody) },
    responses: {
      200: json(sendOutcome, 'the final outcome'),
      202: json(sendAccepted, 'queued'),
      ...ADMIN_TOKEN,
      409: relayFail('the id was already sent'),
      422: relayFail('invalid field (named)'),
    },
  },
  {
    method: 'get',
    path: '/api/events',
    summary: 'Server-Sent Events (token as header or ?token=)',
    description: [
      'Events, each `data` being JSON (EventFrames gives the schema of each: MessagesFrame, CapturedFrame, PublicSettings, StatsFrame, ReportOutcome):',
      '`messages`: an array of timeline rows (MessageEvent), coalesced per ~200 ms; a burst over the cap is sent as',
      '`{coalesced: true, count, states: {state: n}}` instead (refetch the list).',
      '`captured`: one captured-mail summary per frame; a burst of more than 20 per ~200 ms is sent as `{coalesced: true, count}`;',
      'deletions as `{type: "deleted", ids}`, `{type: "cleared"}` (delete all), or `{coalesced: true, removed}` for a large prune.',
      '`settings`: the settings after a change. `stats`: `{counts, captured: {total, unread}, in_flight, delivery_mode, paused}`,',
      'sent on connect and then only when it changed, at most every 2 s. `report`: outcome of a delivery-report sync.',
      'A comment line is sent every 15 s as a heartbeat.',
    ].join(' '),
    responses: { 200: { description: 'the event stream', content: { 'text/event-stream': { schema: eventFrames } } }, ...ADMIN_TOKEN },
  },
];
