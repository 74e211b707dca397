import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/renderer/src/api/client.js';
import { RelayProvider } from '../../src/renderer/src/state/relay-context.js';
import { LoginView } from '../../src/renderer/src/views/login/LoginView.js';
import { AccountFormPanel } from '../../src/renderer/src/views/accounts/AccountFormPanel.js';
import { RateGauge } from '../../src/renderer/src/views/accounts/RateGauge.js';
import { HtmlPreview } from '../../src/renderer/src/views/captured/HtmlPreview.js';
import { QueueView } from '../../src/renderer/src/views/queue/QueueView.js';
import { DeliverySection } from '../../src/renderer/src/views/settings/DeliverySection.js';
import { RetentionSection } from '../../src/renderer/src/views/settings/RetentionSection.js';
import type { Settings } from '../../src/renderer/src/api/types.js';
import { FakeEventSource, SETTINGS, STATS, account, fakeRelay, summary, type Handler } from '../support/renderer/fakes.js';

// jsdom does no layout: give scroll containers a size so the virtualised lists render rows
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
});
afterAll(() => {
  delete (HTMLElement.prototype as unknown as Record<string, unknown>).clientHeight;
  delete (HTMLElement.prototype as unknown as Record<string, unknown>).clientWidth;
});
afterEach(cleanup);
beforeEach(() => {
  FakeEventSource.instances = [];
  window.location.hash = '';
});

function withRelay(routes: Record<string, Handler>, ui: React.ReactNode) {
  const relay = fakeRelay({ 'GET /api/stats': () => STATS, 'GET /api/settings': () => SETTINGS, 'GET /api/accounts': () => ({ items: [], next_cursor: null }), ...routes });
  render(
    <RelayProvider connection={relay.api.connection} onUnauthorized={() => {}} api={relay.api} events={relay.events}>
      {ui}
    </RelayProvider>,
  );
  return relay;
}

describe('LoginView', () => {
  it('asks for the token, says when it is wrong, and logs in with a good one', async () => {
    const onLogin = vi.fn();
    const check = vi.fn(async (c: { token: string }) => {
      if (c.token !== 'good') throw new ApiError(401, 'unauthorized', 'no');
    });
    render(<LoginView baseUrl="" onLogin={onLogin} check={check} />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Paste the API token')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 'bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('The relay did not accept this token.')).toBeTruthy();
    expect(screen.getByLabelText('API token').getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: ' good ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onLogin).toHaveBeenCalledWith({ baseUrl: '', token: 'good' }));
  });
});

describe('QueueView', () => {
  it('shows the queue and applies live events without reloading', async () => {
    let list = [summary('m2', { subject: 'Second' }), summary('m1', { subject: 'First' })];
    const relay = withRelay({ 'GET /api/messages': () => ({ items: list, next_cursor: null }) }, <QueueView route={{ view: 'queue', params: {} }} />);
    await screen.findByText('First');
    const listCalls = () => relay.calls.filter((c) => c.url.pathname === '/api/messages').length;
    const before = listCalls();
    const es = FakeEventSource.last();
    act(() => es.open());

    act(() => es.send('messages', [{ message_id: 'm1', account_id: 'acc', ts: 1_700_000_050, type: 'sent', state: 'sent', detail: { sandbox: true } }]));
    const row = () => document.querySelector('.queue-row[data-id="m1"] .badge')!;
    await waitFor(() => expect(row().textContent).toMatch(/^sent/));
    expect(listCalls()).toBe(before);

    // an unknown message: the head of the list is fetched again
    list = [summary('m3', { subject: 'Third' }), ...list];
    act(() => es.send('messages', [{ message_id: 'm3', account_id: 'acc', ts: 1_700_000_060, type: 'queued', state: 'queued' }]));
    await screen.findByText('Third', {}, { timeout: 3000 });
    expect(listCalls()).toBe(before + 1);

    act(() => es.send('messages', [{ message_id: 'm2', account_id: 'acc', ts: 1_700_000_070, type: 'deleted', state: 'deleted' }]));
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
});

describe('AccountFormPanel', () => {
  it('shows what is wrong, then saves a valid account', async () => {
    const onSave = vi.fn(async (_input: unknown) => {});
    render(<AccountFormPanel original={null} accounts={[account('backup', { host: 'h', port: 25 })]} onSave={onSave} onClose={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText(/Give the account an id/)).toBeTruthy();
    expect(screen.getByText('The SMTP server host is required')).toBeTruthy();
    expect(onSave).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('Account id'), { target: { value: 'main' } });
    fireEvent.change(screen.getByLabelText('Host'), { target: { value: 'smtp.example.com' } });
    fireEvent.change(screen.getByLabelText('Port'), { target: { value: '465' } });
    fireEvent.change(screen.getByLabelText('Per minute'), { target: { value: '30' } });
    fireEvent.change(screen.getByLabelText('Fallback accounts'), { target: { value: 'backup' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0][0]).toMatchObject({ id: 'main', host: 'smtp.example.com', port: 465, use_tls: null, limit_per_minute: 30, fallbacks: ['backup'] });
  });

  it('shows the relay refusing the account', async () => {
    const onSave = vi.fn(async () => {
      throw new ApiError(422, 'validation_error', 'host: must be a host name without spaces');
    });
    render(<AccountFormPanel original={null} accounts={[]} onSave={onSave} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText('Account id'), { target: { value: 'main' } });
    fireEvent.change(screen.getByLabelText('Host'), { target: { value: 'smtp.example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'host: must be a host name without spaces');
  });

  it('keeps the id fixed when editing', () => {
    render(<AccountFormPanel original={account('main', { host: 'h', port: 587, use_tls: false })} accounts={[]} onSave={async () => {}} onClose={() => {}} />);
    expect((screen.getByLabelText('Account id') as HTMLInputElement).readOnly).toBe(true);
    expect((screen.getByLabelText('Security') as HTMLSelectElement).value).toBe('starttls');
  });
});

describe('RateGauge', () => {
  it('shows used/limit and the countdown to the next free slot when full', () => {
    const { container } = render(<RateGauge rate={{ window: 'minute', used: 10, limit: 10, next_free_ts: 1030 }} now={1000} />);
    expect(container.textContent).toContain('10 / 10');
    expect(container.textContent).toContain('next free slot in 30s');
    expect(screen.getByRole('meter').getAttribute('aria-valuenow')).toBe('10');
    cleanup();
    const free = render(<RateGauge rate={{ window: 'hour', used: 3, limit: null, next_free_ts: null }} now={1000} />);
    expect(free.container.textContent).toContain('no limit');
    expect(free.container.querySelector('[role="meter"]')).toBeNull();
  });
});

describe('HtmlPreview', () => {
  it('renders in a script-less sandbox with remote content blocked until allowed', () => {
    render(
      <HtmlPreview
        html={'<p>Hello</p><img src="https://tracker.example/p.gif"><img src="cid:logo">'}
        attachments={[{ index: 0, filename: 'logo.png', content_type: 'image/png', size: 10, cid: '<logo>', inline: true }]}
        attachmentUrl={(i) => `http://relay/api/captured/1/attachments/${i}?token=t`}
        relayOrigin="http://relay"
        subject="Hi"
      />,
    );
    const frame = screen.getByTitle('HTML preview: Hi') as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const srcdoc = frame.getAttribute('srcdoc')!;
    expect(srcdoc).toContain('Content-Security-Policy');
    expect(srcdoc).toContain('http://relay/api/captured/1/attachments/0?token=t');
    expect(screen.getByText('1 remote resource blocked')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load remote images' }));
    expect(frame.getAttribute('srcdoc')).toContain('img-src * http: https:');
    fireEvent.click(screen.getByRole('radio', { name: 'Mobile' }));
    expect(frame.style.width).toBe('375px');
  });
});

describe('DeliverySection', () => {
  it('asks before switching to real delivery', async () => {
    const patches: unknown[] = [];
    const relay = withRelay(
      {
        'PATCH /api/settings': (_u, init) => {
          const patch = JSON.parse(String(init.body));
          patches.push(patch);
          return { ...SETTINGS, ...patch };
        },
      },
      <DeliverySection settings={SETTINGS as Settings} />,
    );
    fireEvent.click(screen.getByLabelText(/Real delivery/));
    const dialog = await screen.findByRole('dialog');
    expect(patches).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(patches).toEqual([]);
    fireEvent.click(screen.getByLabelText(/Real delivery/));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Yes, deliver for real' }));
    await waitFor(() => expect(patches).toEqual([{ delivery_mode: 'real' }]));
    fireEvent.click(screen.getByRole('button', { name: 'Pause dispatch' }));
    await waitFor(() => expect(patches).toContainEqual({ paused: true }));
    void relay;
  });
});

describe('RetentionSection (settings form)', () => {
  it('blocks invalid input, saves only what changed, and says so until the next edit', async () => {
    const patches: unknown[] = [];
    withRelay(
      {
        'PATCH /api/settings': (_u, init) => {
          const patch = JSON.parse(String(init.body));
          patches.push(patch);
          return { ...SETTINGS, ...patch };
        },
      },
      <RetentionSection settings={SETTINGS as Settings} />,
    );
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toHaveProperty('disabled', true);
    const count = screen.getByLabelText(/keep at most/);
    fireEvent.change(count, { target: { value: 'lots' } });
    expect(save).toHaveProperty('disabled', true);
    fireEvent.change(count, { target: { value: '100' } });
    expect(save).toHaveProperty('disabled', false);
    fireEvent.click(save);
    await waitFor(() => expect(patches).toEqual([{ sink_retention_count: 100 }]));
    await screen.findByText('Saved');
    fireEvent.change(count, { target: { value: '200' } });
    expect(screen.queryByText('Saved')).toBeNull();
  });
});
