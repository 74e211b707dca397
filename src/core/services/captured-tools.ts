import type { AttachmentPreview, HtmlCheckAnswer, LinkCheckAnswer } from '../../shared/api/captured-tools.js';
import { notFound } from '../errors.js';
import { attachmentAt, inspectMessage } from '../sink/inspect.js';
import type { CapturedPort } from '../store/ports.js';
import { attachmentPreview } from './attachment-preview.js';
import { checkHtml } from './html-check.js';
import { LinkChecker, type LinkCheckOptions } from './link-check.js';

/** The HTML tools of a captured message: compatibility check, link check, attachment previews. */
export interface CapturedToolsService {
  /** the HTML body against caniemail's client-support data; 404 without an HTML body */
  htmlCheck(id: number): Promise<HtmlCheckAnswer>;
  /** requests every link and image of the HTML body (on request only, never automatically) */
  linkCheck(id: number): Promise<LinkCheckAnswer>;
  /** text and calendar attachments summarised (images and PDF the browser shows from the bytes) */
  preview(id: number, index: number): Promise<AttachmentPreview>;
}

export interface CapturedToolsDeps {
  captured: Pick<CapturedPort, 'raw'>;
  linkCheck: LinkCheckOptions;
}

export function createCapturedToolsService(deps: CapturedToolsDeps): CapturedToolsService {
  const links = new LinkChecker(deps.linkCheck);

  const rawOf = async (id: number): Promise<Buffer> => {
    const raw = await deps.captured.raw(id);
    if (!raw) throw notFound('captured message', String(id));
    return raw;
  };
  const htmlOf = async (id: number): Promise<string> => {
    const { html } = await inspectMessage(await rawOf(id));
    if (html === null) throw notFound('HTML body of captured message', String(id));
    return html;
  };

  return {
    async htmlCheck(id) {
      return checkHtml(await htmlOf(id));
    },
    async linkCheck(id) {
      return links.checkHtml(await htmlOf(id));
    },
    async preview(id, index) {
      const att = index >= 0 ? await attachmentAt(await rawOf(id), index) : null;
      if (!att) throw notFound('attachment', `${id}/${index}`);
      return attachmentPreview(att);
    },
  };
}
