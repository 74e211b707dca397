import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MailboxList } from '../../../../src/renderer/src/views/captured/MailboxList.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

const MAILBOXES = {
  items: [
    { mailbox: 'newsletter', total: 3, unread: 0 },
    { mailbox: 'shop', total: 2, unread: 2 },
    { mailbox: null, total: 5, unread: 1 },
  ],
  tenants: [{ name: 'acme', total: 4, unread: 3 }],
  tags: [{ name: 'orders', total: 2, unread: 0 }],
};

describe('MailboxList', () => {
  it('lists the named mailboxes with their unread counts and filters the captured list by one', async () => {
    withRelay({ 'GET /api/mailboxes': () => MAILBOXES }, <MailboxList q="" />);
    const shop = await screen.findByRole('button', { name: /shop/ });
    expect(screen.getByLabelText('2 unread')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'All' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'newsletter' })).toBeTruthy();
    fireEvent.click(shop);
    expect(window.location.hash).toContain(encodeURIComponent('mailbox:"shop"'));
  });

  it('groups users, tenants and tags; a tenant or tag filters with tenant: or tag:', async () => {
    withRelay({ 'GET /api/mailboxes': () => MAILBOXES }, <MailboxList q={'tag:"orders"'} />);
    const tenants = await screen.findByRole('group', { name: 'Tenants' });
    expect(screen.getByRole('group', { name: 'Users' })).toBeTruthy();
    expect(screen.getByLabelText('3 unread')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'orders' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(tenants.querySelector('button')!);
    expect(window.location.hash).toContain(encodeURIComponent('tenant:"acme"'));
  });

  it('marks the mailbox the search shows', async () => {
    withRelay({ 'GET /api/mailboxes': () => MAILBOXES }, <MailboxList q={'mailbox:"newsletter"'} />);
    expect((await screen.findByRole('button', { name: 'newsletter' })).getAttribute('aria-pressed')).toBe('true');
  });
});
