import { z } from 'zod';

/** The HTML tools of a captured message: compatibility check, link check, attachment previews. */

const int = z.number().int();

// ---- GET /api/captured/{id}/html-check -------------------------------------------------------------

export const htmlCheckIssue = z
  .object({
    /** caniemail's feature title, e.g. `display:grid`, `<svg> element` */
    feature: z.string(),
    support: z.enum(['none', 'partial']),
    /** the family's clients (platforms) concerned, e.g. `outlook.windows` */
    clients: z.array(z.string()),
    notes: z.array(z.string()),
    /** where the HTML uses it */
    occurrences: int,
  })
  .strict();

export const htmlCheckFamily = z
  .object({ family: z.string(), /** caniemail's name for it: `Outlook`, `Apple Mail` */ name: z.string(), clients: z.array(z.string()), issues: z.array(htmlCheckIssue) })
  .strict();

export const htmlCheckAnswer = z
  .object({
    /** 0-100: the share of checked clients that support every feature used, a partial support counting half */
    score: int,
    clients_checked: int,
    /** clients caniemail has no data for some feature of this HTML: left out of the score */
    clients_without_data: z.array(z.string()),
    /** only families with an issue */
    families: z.array(htmlCheckFamily),
    /** the dataset and its version */
    source: z.string(),
  })
  .strict()
  .meta({ id: 'HtmlCheckAnswer' });
export type HtmlCheckAnswer = z.infer<typeof htmlCheckAnswer>;

// ---- POST /api/captured/{id}/link-check ------------------------------------------------------------

export const linkCheckResult = z
  .object({
    url: z.string(),
    kind: z.enum(['link', 'image', 'stylesheet']),
    /** the final HTTP status (after redirects), null when none came */
    status: int.nullable(),
    ok: z.boolean(),
    /** `HTTP 404 Not Found`, `connection refused`, `not checked: … loopback address` */
    detail: z.string(),
    redirects: int,
  })
  .strict();
export type LinkCheckResult = z.infer<typeof linkCheckResult>;

export const linkCheckAnswer = z
  .object({ links: z.array(linkCheckResult), checked: int, failed: int, truncated: z.boolean() })
  .strict()
  .meta({ id: 'LinkCheckAnswer' });
export type LinkCheckAnswer = z.infer<typeof linkCheckAnswer>;

// ---- GET /api/captured/{id}/attachments/{index}/preview --------------------------------------------

export const calendarPreview = z
  .object({
    summary: z.string().nullable(),
    start: z.string().nullable(),
    end: z.string().nullable(),
    location: z.string().nullable(),
    organizer: z.string().nullable(),
    attendees: z.array(z.string()),
    method: z.string().nullable(),
  })
  .strict();

export const attachmentPreview = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('text'), text: z.string(), truncated: z.boolean() }).strict(),
    z.object({ kind: z.literal('calendar'), events: z.array(calendarPreview) }).strict(),
    z.object({ kind: z.literal('none'), reason: z.string() }).strict(),
  ])
  .meta({ id: 'AttachmentPreview' });
export type AttachmentPreview = z.infer<typeof attachmentPreview>;
