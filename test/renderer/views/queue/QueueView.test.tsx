import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { QueueView } from '../../../../src/renderer/src/views/queue/QueueView.js';
import { FakeEventSource, summary } from '../../../support/renderer/fake-relay.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

describe('QueueView', () => {
  it('shows the queue and applies live events without reloading', async () => {
    let list = [summary('m2', { subject: 'Second' }), summary('m1', { subject: 'First' })];
    const relay = withRelay({ 'GET /api/messages': () => ({ items: list, next_cursor: null }) }, <QueueView route={{ view: 'queue', params: {} }} />);
    await screen.findByText('First');
    const listCalls = () => relay.calls.filter((c) => c.url.pathname === '/api/messages').length;
    const before = listCalls();
    const es = FakeEventSource.last();
    act(() => es.open());

    act(() => es.send('messages', [{ message_id: 'm1', tenant_id: '', account_id: 'acc', ts: 1_700_000_050, type: 'sent', state: 'sent', detail: { sandbox: true } }]));
    const row = () => document.querySelector('.queue-row[data-id="m1"] .badge')!;
    await waitFor(() => expect(row().textContent).toMatch(/^sent/));
    expect(listCalls()).toBe(before);

    // an unknown message: the head of the list is fetched again
    list = [summary('m3', { subject: 'Third' }), ...list];
    act(() => es.send('messages', [{ message_id: 'm3', tenant_id: '', account_id: 'acc', ts: 1_700_000_060, type: 'queued', state: 'queued' }]));
    await screen.findByText('Third', {}, { timeout: 3000 });
    expect(listCalls()).toBe(before + 1);

    act(() => es.send('messages', [{ message_id: 'm2', tenant_id: '', account_id: 'acc', ts: 1_700_000_070, type: 'deleted', state: 'deleted' }]));
    await waitFor(() => expect(screen.queryByText('Second')).toBeNull());
  });

  it('tells a new user how to send the first message', async () => {
    withRelay({ 'GET /api/messages': () => ({ items: [], next_cursor: null }) }, <QueueView route={{ view: 'queue', params: {} }} />);
    expect(await screen.findByText('The queue is empty')).toBeTruthy();
    const snippet = screen.getByText(/curl -X POST/);
    expect(snippet.textContent).toContain('http://127.0.0.1:8000/api/send');
    expect(snippet.textContent).not.toContain('tok\'');
  });

  it('passes filters from the route to the API and offers to clear them', async () => {
    const relay = withRelay({ 'GET /api/messages': () => ({ items: [], next_cursor: null }) }, <QueueView route={{ view: 'queue', params: { state: 'error', q: 'invoice' } }} />);
    expect(await screen.findByText('No messages match these filters')).toBeTruthy();
    const call = relay.calls.find((c) => c.url.pathname === '/api/messages')!;
    expect(call.url.searchParams.get('state')).toBe('error');
    expect(call.url.searchParams.get('q')).toBe('invoice');
  });

  it('shows a reported failure as an error with its text and a reported mark; the report keeps it an error (#20.1)', async () => {
    const failed = summary('f1', { subject: 'Refused', state: 'error', error: '550 no such user', error_ts: 1_700_000_020, attempts: 1 });
    withRelay({ 'GET /api/messages': () => ({ items: [failed], next_cursor: null }) }, <QueueView route={{ view: 'queue', params: { state: 'error' } }} />);
    await screen.findByText('Refused');
    const row = () => document.querySelector('.queue-row[data-id="f1"]')!;
    expect(row().querySelector('.reported-mark')).toBeNull();
    const es = FakeEventSource.last();
    act(() => es.open());
    act(() => es.send('messages', [{ message_id: 'f1', tenant_id: '', account_id: 'acc', ts: 1_700_000_030, type: 'reported', state: 'error', detail: { outcome: 'error' } }]));
    await waitFor(() => expect(row().querySelector('.reported-mark')).not.toBeNull());
    expect(row().querySelector('.badge')!.textContent).toBe('error');
    expect(row().querySelector('.row-error')!.textContent).toContain('550 no such user');
    expect(row().querySelector('.reported-mark')!.getAttribute('title')).toMatch(/^Reported to the application/);
  });

  it('passes the Report filter to the API; an old state=reported link asks for reported outcomes', async () => {
    const relay = withRelay({ 'GET /api/messages': () => ({ items: [], next_cursor: null }) }, <QueueView route={{ view: 'queue', params: { state: 'error', reported: 'no' } }} />);
    expect(await screen.findByText('No messages match these filters')).toBeTruthy();
    const call = relay.calls.find((c) => c.url.pathname === '/api/messages')!;
    expect(call.url.searchParams.get('state')).toBe('error');
    expect(call.url.searchParams.get('reported')).toBe('false');
    expect((screen.getByLabelText('Report') as HTMLSelectElement).value).toBe('no');
  });

  it('reads a state=reported link from before as the reported filter', async () => {
    const relay = withRelay({ 'GET /api/messages': () => ({ items: [], next_cursor: null }) }, <QueueView route={{ view: 'queue', params: { state: 'reported' } }} />);
    expect(await screen.findByText('No messages match these filters')).toBeTruthy();
    const call = relay.calls.find((c) => c.url.pathname === '/api/messages')!;
    expect(call.url.searchParams.get('state')).toBeNull();
    expect(call.url.searchParams.get('reported')).toBe('true');
  });

  it('shows no tenant column on a relay without tenants', async () => {
    withRelay({ 'GET /api/messages': () => ({ items: [summary('m1', { subject: 'First' })], next_cursor: null }) }, <QueueView route={{ view: 'queue', params: {} }} />);
    await screen.findByText('First');
    expect(document.querySelector('.col-tenant')).toBeNull();
    expect(screen.queryByLabelText('Tenant')).toBeNull();
  });

  it('keys rows by tenant and id: the same id in two tenants is two rows, each updated on its own (#14.6)', async () => {
    const tenants = { items: [{ id: 'acme', active: true, auth_method: 'none', next_sync_due: true, in_dnd: false }], sync_interval_seconds: 300 };
    withRelay(
      {
        'GET /api/tenants': () => tenants,
        'GET /api/messages': () => ({ items: [summary('inv-1', { tenant_id: 'acme', subject: 'Acme invoice' }), summary('inv-1', { subject: 'Classic invoice' })], next_cursor: null }),
      },
      <QueueView route={{ view: 'queue', params: {} }} />,
    );
    await screen.findByText('Acme invoice');
    await screen.findByText('Classic invoice');
    await waitFor(() => expect(document.querySelectorAll('.queue-row[data-id] .col-tenant').length).toBe(2));
    expect(screen.getByLabelText('Tenant')).toBeTruthy();
    const es = FakeEventSource.last();
    act(() => es.open());
    act(() => es.send('messages', [{ message_id: 'inv-1', tenant_id: 'acme', account_id: 'acc', ts: 1_700_000_050, type: 'sent', state: 'sent', detail: { sandbox: true } }]));
    const badge = (tenant: string) => document.querySelector(`.queue-row[data-id="inv-1"][data-tenant="${tenant}"] .badge`)!.textContent;
    await waitFor(() => expect(badge('acme')).toMatch(/^sent/));
    expect(badge('')).toMatch(/^queued/);
  });

  it('filters by tenant: the default tenant as tenant_id= (empty), a tenant by its id', async () => {
    const tenants = { items: [{ id: 'acme', active: true, auth_method: 'none', next_sync_due: true, in_dnd: false }], sync_interval_seconds: 300 };
    const relay = withRelay(
      { 'GET /api/tenants': () => tenants, 'GET /api/messages': () => ({ items: [], next_cursor: null }) },
      <QueueView route={{ view: 'queue', params: { tenant: '~' } }} />,
    );
    await screen.findByText('No messages match these filters');
    const call = relay.calls.find((c) => c.url.pathname === '/api/messages')!;
    expect(call.url.searchParams.get('tenant_id')).toBe('');
  });
});
