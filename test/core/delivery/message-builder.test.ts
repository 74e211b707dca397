import { describe, expect, it } from 'vitest';
import { buildMail } from '../../../src/core/delivery/message-builder.js';
import type { MessagePayload } from '../../../src/core/messages/types.js';

const payload = (over: Partial<MessagePayload>): MessagePayload => ({
  id: 'm1',
  account_id: 'acc',
  from: 'app@example.com',
  to: ['ann@example.org'],
  subject: 'hello',
  body: 'text',
  content_type: 'plain',
  priority: 2,
  ...over,
});

describe('message builder: the text alternative of an HTML body', () => {
  it('is generated from the HTML when the payload gives none: entities decoded, unquoted links kept', () => {
    const mail = buildMail(payload({ content_type: 'html', body: '<p>Caf&eacute; &amp; cr&egrave;me: it&rsquo;s <a href=https://x.test/menu>the menu</a></p>' }), []);
    expect(mail.html).toBe('<p>Caf&eacute; &amp; cr&egrave;me: it&rsquo;s <a href=https://x.test/menu>the menu</a></p>');
    expect(mail.text).toBe('Café & crème: it’s the menu (https://x.test/menu)');
  });

  it("is the payload's body_text when it has one, and a plain body is sent as text only", () => {
    expect(buildMail(payload({ content_type: 'html', body: '<p>x</p>', body_text: 'own text' }), []).text).toBe('own text');
    const plain = buildMail(payload({ content_type: 'plain', body: 'just &amp; text' }), []);
    expect(plain).toMatchObject({ text: 'just &amp; text' });
    expect(plain.html).toBeUndefined();
  });
});
