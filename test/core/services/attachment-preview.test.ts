import { describe, expect, it } from 'vitest';
import { attachmentPreview, MAX_PREVIEW_CHARS, previewKind } from '../../../src/core/services/attachment-preview.js';

describe('attachment previews', () => {
  it('decides from the content type, else the file name', () => {
    expect(previewKind('text/calendar; method=REQUEST', 'x.ics')).toBe('calendar');
    expect(previewKind('application/octet-stream', 'Invite.ICS')).toBe('calendar');
    expect(previewKind('text/plain', null)).toBe('text');
    expect(previewKind('application/json', 'a.json')).toBe('text');
    expect(previewKind('application/octet-stream', 'log.txt')).toBe('text');
    expect(previewKind('image/png', 'a.png')).toBe('none');
    expect(previewKind('application/pdf', 'a.pdf')).toBe('none');
  });

  it('decodes text in its charset and clips it', async () => {
    expect(await attachmentPreview({ content: Buffer.from([0x63, 0x61, 0x66, 0xe9]), content_type: 'text/plain; charset=iso-8859-1', filename: 'a.txt' })).toEqual({
      kind: 'text',
      text: 'café',
      truncated: false,
    });
    expect(await attachmentPreview({ content: Buffer.from('ok'), content_type: 'text/plain; charset=x-unknown', filename: null })).toMatchObject({ text: 'ok' });
    const long = await attachmentPreview({ content: Buffer.alloc(MAX_PREVIEW_CHARS + 10, 0x61), content_type: 'text/plain', filename: null });
    expect(long).toMatchObject({ kind: 'text', truncated: true });
  });

  it('answers kind none for a calendar file that is no calendar', async () => {
    expect(await attachmentPreview({ content: Buffer.from('garbage'), content_type: 'text/calendar', filename: 'x.ics' })).toMatchObject({ kind: 'none' });
  });
});
