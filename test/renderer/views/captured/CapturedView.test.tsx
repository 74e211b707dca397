import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useRoute } from '../../../../src/renderer/src/lib/router.js';
import { CapturedView } from '../../../../src/renderer/src/views/captured/CapturedView.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

function mail(id: number, patch: Record<string, unknown> = {}) {
  return {
    id,
    received_ts: 1_700_000_000 + id,
    mail_from: 'app@example.com',
    rcpt_to: ['someone@example.com'],
    from: 'app@example.com',
    to: ['someone@example.com'],
    cc: [],
    subject: `Mail ${id}`,
    date_ts: null,
    size: 100,
    attachments: 0,
    mailbox: null,
    read: false,
    message_id: null,
    relay_message_id: null,
    relay_tenant_id: null,
    preview: '',
    remote_address: null,
    helo: null,
    tls: false,
    ...patch,
  };
}

function Routed() {
  const route = useRoute();
  return route.view === 'captured' ? <CapturedView route={route} /> : null;
}

function captured(mails: ReturnType<typeof mail>[]) {
  const routes: Record<string, () => unknown> = {
    'GET /api/captured': () => ({ items: mails, next_cursor: null, total: mails.length, unread: mails.length }),
    'PUT /api/captured/read': () => ({ ok: true }),
    'DELETE /api/captured': () => ({ ok: true, removed: 3 }),
  };
  for (const m of mails) routes[`GET /api/captured/${m.id}`] = () => ({ ...m, read: true, headers: [], text: `Body ${m.id}`, html: null, attachments: [] });
  return routes;
}

const press = (key: string) => act(() => void fireEvent.keyDown(document.body, { key }));
const hashId = () => window.location.hash.match(/^#\/captured\/(\d+)/)?.[1] ?? null;

describe('CapturedView triage', () => {
  it('walks the open mail with j/k and the prev/next buttons, and opens the next one after d', async () => {
    window.location.hash = '#/captured/3';
    withRelay(captured([mail(4), mail(3), mail(2), mail(1)]), <Routed />);
    await screen.findByRole('heading', { name: 'Mail 3' });
    expect(screen.getByText('2 of 4')).toBeTruthy();

    press('j');
    await screen.findByRole('heading', { name: 'Mail 2' });
    expect(hashId()).toBe('2');
    press('k');
    await screen.findByRole('heading', { name: 'Mail 3' });
    fireEvent.click(screen.getByRole('button', { name: 'Next mail' }));
    await screen.findByRole('heading', { name: 'Mail 2' });
    fireEvent.click(screen.getByRole('button', { name: 'Previous mail' }));
    await screen.findByRole('heading', { name: 'Mail 3' });

    // d deletes it (with an undo) and opens the next one down instead of closing
    press('d');
    await screen.findByRole('heading', { name: 'Mail 2' });
    expect(screen.getByText('Deleted “Mail 3”')).toBeTruthy();
    expect(document.querySelector('.captured-row[data-id="3"]')).toBeNull();
    expect(screen.getByText('2 of 3')).toBeTruthy();

    // the last one: Delete opens the one above it
    fireEvent.click(screen.getByRole('button', { name: 'Next mail' }));
    await screen.findByRole('heading', { name: 'Mail 1' });
    expect((screen.getByRole('button', { name: 'Next mail' }) as HTMLButtonElement).disabled).toBe(true);
    press('Delete');
    await screen.findByRole('heading', { name: 'Mail 2' });
  });

  it('picks rows with ctrl and shift clicks, and marks them read or deletes them, saying how many', async () => {
    window.location.hash = '#/captured';
    const relay = withRelay(captured([mail(4), mail(3), mail(2), mail(1)]), <Routed />);
    await screen.findByText('Mail 4');
    const row = (id: number) => document.querySelector(`.captured-row[data-id="${id}"]`)!;
    fireEvent.click(row(4), { ctrlKey: true });
    fireEvent.click(row(2), { shiftKey: true });
    expect(screen.getByText('3 messages selected')).toBeTruthy();
    expect(hashId()).toBeNull(); // a picking click opens nothing
    expect(document.querySelectorAll('.vrow.picked')).toHaveLength(3);

    fireEvent.click(screen.getByRole('button', { name: 'Mark read' }));
    await screen.findByText('Marked 3 messages read');
    const put = relay.calls.find((c) => c.method === 'PUT' && c.url.pathname === '/api/captured/read')!;
    expect(JSON.parse(String(put.init.body))).toEqual({ read: true, ids: [4, 3, 2] });
    await waitFor(() => expect(row(3).className).not.toContain('unread'));
    expect(row(1).className).toContain('unread');

    // x toggles the highlighted row; d asks before deleting what is picked
    press('Escape');
    expect(screen.queryByText(/selected$/)).toBeNull();
    fireEvent.click(row(1), { ctrlKey: true });
    fireEvent.click(row(3), { metaKey: true });
    press('d');
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Delete these 2 messages?');
    fireEvent.click(screen.getByRole('button', { name: 'Delete 2 messages' }));
    await waitFor(() => expect(document.querySelector('.captured-row[data-id="1"]')).toBeNull());
    const del = relay.calls.find((c) => c.method === 'DELETE' && c.url.pathname === '/api/captured')!;
    expect(del.url.searchParams.get('ids')).toBe('3,1');
  });

  it('marks all read through the server, the search’s matches only when searching', async () => {
    window.location.hash = '#/captured?q=invoice';
    const relay = withRelay(captured([mail(2), mail(1)]), <Routed />);
    await screen.findByText('Mail 2');
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await screen.findByText('Marked every message this search matches read');
    const put = relay.calls.find((c) => c.method === 'PUT' && c.url.pathname === '/api/captured/read')!;
    expect(JSON.parse(String(put.init.body))).toEqual({ read: true, q: 'invoice' });
    expect(document.querySelectorAll('.captured-row.unread')).toHaveLength(0);
  });

  it('folds a long recipient list into "+N more"', async () => {
    const to = Array.from({ length: 50 }, (_, i) => `user${i}@example.com`);
    window.location.hash = '#/captured/1';
    withRelay(captured([mail(1, { to, rcpt_to: to })]), <Routed />);
    await screen.findByRole('heading', { name: 'Mail 1' });
    // To and the envelope's RCPT TO
    const more = screen.getAllByRole('button', { name: 'Show all 50 recipients' });
    expect(more.map((b) => b.textContent)).toEqual(['+47 more', '+47 more']);
    const detail = within(screen.getByRole('complementary', { name: 'Captured mail 1' }));
    expect(detail.queryByText(/user49@example\.com/)).toBeNull();
    fireEvent.click(more[0]!);
    expect(detail.getByText(/user49@example\.com/)).toBeTruthy();
  });
});
