import type { AttachmentPreview } from '../../shared/api/captured-tools.js';

/** Text is shown up to this many characters (the download has it all). */
export const MAX_PREVIEW_CHARS = 256 * 1024;
/** Calendar files larger than this are not parsed. */
const MAX_CALENDAR_BYTES = 1024 * 1024;
const MAX_EVENTS = 20;
const MAX_ATTENDEES = 100;

type Kind = 'text' | 'calendar' | 'none';

/** How an attachment is previewed from its type and name (images and PDF the browser shows from the bytes). */
export function previewKind(contentType: string, filename: string | null): Kind {
  const type = contentType.toLowerCase().split(';')[0].trim();
  const ext = /\.([a-z0-9]{1,8})$/i.exec(filename ?? '')?.[1]?.toLowerCase() ?? '';
  if (type === 'text/calendar' || type === 'application/ics' || ext === 'ics') return 'calendar';
  if (type.startsWith('text/') || ['application/json', 'application/xml', 'application/csv'].includes(type)) return 'text';
  if (['txt', 'csv', 'log', 'md', 'json', 'xml', 'yaml', 'yml'].includes(ext)) return 'text';
  return 'none';
}

function charsetOf(contentType: string): string {
  return /charset="?([\w-]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
}

function decode(content: Buffer, contentType: string): string {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(content);
  } catch {
    // an unknown charset label: UTF-8, replacing what it cannot read
    return new TextDecoder('utf-8').decode(content);
  }
}

/** A summary of an attachment the browser cannot show from its bytes alone: text, or a calendar invite's events. */
export async function attachmentPreview(att: { content: Buffer; content_type: string; filename: string | null }): Promise<AttachmentPreview> {
  const kind = previewKind(att.content_type, att.filename);
  if (kind === 'none') return { kind: 'none', reason: `no preview for ${att.content_type || 'this type'}: download it` };
  const text = decode(att.content, att.content_type);
  if (kind === 'text') return { kind: 'text', text: text.slice(0, MAX_PREVIEW_CHARS), truncated: text.length > MAX_PREVIEW_CHARS };
  if (att.content.length > MAX_CALENDAR_BYTES) return { kind: 'none', reason: 'calendar file too large to preview: download it' };
  try {
    return { kind: 'calendar', events: await calendarEvents(text) };
  } catch (err) {
    return { kind: 'none', reason: `not a readable calendar file (${(err as Error).message.slice(0, 120)})` };
  }
}

const mailto = (v: unknown): string | null => (typeof v === 'string' ? v.replace(/^mailto:/i, '') : null);

/** The events of an iCalendar text (ical.js, loaded on first use), as a title, times, organizer and attendees. */
async function calendarEvents(text: string): Promise<Extract<AttachmentPreview, { kind: 'calendar' }>['events']> {
  const { default: ICAL } = await import('ical.js');
  const root = new ICAL.Component(ICAL.parse(text));
  const method = root.getFirstPropertyValue('method');
  return root
    .getAllSubcomponents('vevent')
    .slice(0, MAX_EVENTS)
    .map((vevent) => {
      const e = new ICAL.Event(vevent);
      const person = (p: InstanceType<typeof ICAL.Property>) => {
        const cn = p.getParameter('cn');
        const address = mailto(p.getFirstValue());
        return typeof cn === 'string' && cn ? `${cn}${address ? ` <${address}>` : ''}` : (address ?? '');
      };
      const organizer = vevent.getFirstProperty('organizer');
      return {
        summary: e.summary || null,
        start: e.startDate ? e.startDate.toString() : null,
        end: e.endDate ? e.endDate.toString() : null,
        location: e.location || null,
        organizer: organizer ? person(organizer) : null,
        attendees: vevent.getAllProperties('attendee').slice(0, MAX_ATTENDEES).map(person).filter(Boolean),
        method: typeof method === 'string' ? method : null,
      };
    });
}
