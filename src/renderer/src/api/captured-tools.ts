import {
  attachmentPreview,
  capturedPage,
  deleteAllCapturedAnswer,
  htmlCheckAnswer,
  linkCheckAnswer,
  type AttachmentPreview,
  type HtmlCheckAnswer,
  type LinkCheckAnswer,
  type SearchWarning,
} from '../../../shared/api/index.js';
import type { RelayApi } from './client.js';

/** The captured-mail tools' calls: search facts, delete by search, HTML check, link check, previews. */

/** How many messages a search matches and what it could not use (a one-row page of it). */
export async function searchFacts(api: RelayApi, q: string): Promise<{ matched: number; warnings: SearchWarning[] }> {
  const page = await api.checked(capturedPage, 'GET', `/api/captured?limit=1&count=1&q=${encodeURIComponent(q)}`);
  return { matched: page.matched ?? page.items.length, warnings: page.warnings ?? [] };
}

/** Deletes every message the search matches (the server runs the search); answers how many went. */
export async function deleteSearchResults(api: RelayApi, q: string): Promise<number> {
  return (await api.checked(deleteAllCapturedAnswer, 'DELETE', `/api/captured?q=${encodeURIComponent(q)}`)).removed;
}

export function htmlCheck(api: RelayApi, id: number): Promise<HtmlCheckAnswer> {
  return api.checked(htmlCheckAnswer, 'GET', `/api/captured/${id}/html-check`);
}

export function linkCheck(api: RelayApi, id: number): Promise<LinkCheckAnswer> {
  return api.checked(linkCheckAnswer, 'POST', `/api/captured/${id}/link-check`);
}

export function previewAttachment(api: RelayApi, id: number, index: number): Promise<AttachmentPreview> {
  return api.checked(attachmentPreview, 'GET', `/api/captured/${id}/attachments/${index}/preview`);
}
