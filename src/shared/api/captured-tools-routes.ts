import { attachmentPreview, htmlCheckAnswer, linkCheckAnswer } from './captured-tools.js';
import { attachmentParams, idParams, json, RELAY_401, RELAY_403, relayFail, type ApiRoute } from './route-kit.js';

const ADMIN_TOKEN = { ...RELAY_401, ...RELAY_403 };

/** The HTML tools of captured mail (the admin token only). */
export const CAPTURED_TOOLS_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/api/captured/{id}/html-check',
    summary: "The HTML body checked against caniemail's client-support data: unsupported and partly supported features by client family, and a score",
    description:
      'score: 0-100, the share of checked clients that support every feature the HTML uses, a partial support counting half; clients caniemail lacks data for are listed apart.',
    request: { params: idParams },
    responses: { 200: json(htmlCheckAnswer, 'the check'), ...ADMIN_TOKEN, 404: relayFail('unknown id or no HTML body') },
  },
  {
    method: 'post',
    path: '/api/captured/{id}/link-check',
    summary: 'Requests every link, image and stylesheet of the HTML body (HEAD, then GET) and answers each status',
    description:
      'Only on request: the servers named learn that the message was opened. Redirects are followed (at most 5); every hop is resolved and refused when an address is loopback, private or link-local, unless `[sandbox] link_check_private` is on. Per request timeout 5 s, 6 at once, at most 200 links.',
    request: { params: idParams },
    responses: { 200: json(linkCheckAnswer, 'each link with its status'), ...ADMIN_TOKEN, 404: relayFail('unknown id or no HTML body') },
  },
  {
    method: 'get',
    path: '/api/captured/{id}/attachments/{index}/preview',
    summary: 'A text attachment as text, a calendar invite (.ics) as its events; anything else: kind none (images and PDF are shown from the attachment itself)',
    request: { params: attachmentParams },
    responses: { 200: json(attachmentPreview, 'the preview'), ...ADMIN_TOKEN, 404: relayFail('unknown id or index') },
  },
];
