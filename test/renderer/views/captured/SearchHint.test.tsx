import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SearchHint } from '../../../../src/renderer/src/views/captured/SearchHint.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

const page = (matched: number, warnings: { operator: string; message: string }[] = []) => ({ items: [], next_cursor: null, total: 9, unread: 0, matched, warnings });

describe('SearchHint', () => {
  it('names what the search could not use, beside the results', async () => {
    withRelay({ 'GET /api/captured': () => page(0, [{ operator: 'subjet:', message: 'unknown operator, searched as text' }]) }, <SearchHint q="subjet:x" />);
    const hint = await screen.findByRole('status', { name: 'Search warnings' });
    expect(hint.textContent).toBe('subjet: unknown operator, searched as text');
    expect(screen.queryByRole('button', { name: /Delete these/ })).toBeNull();
  });

  it('deletes every match of the search on the server after a confirmation', async () => {
    let matched = 3;
    const relay = withRelay(
      {
        'GET /api/captured': () => page(matched),
        'DELETE /api/captured': () => {
          matched = 0;
          return { ok: true, removed: 3 };
        },
      },
      <SearchHint q="from:shop -invoice" />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Delete these 3 results' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete 3 results' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /Delete these/ })).toBeNull());
    const del = relay.calls.find((c) => c.method === 'DELETE');
    expect(del?.url.searchParams.get('q')).toBe('from:shop -invoice');
    expect(del?.url.searchParams.get('ids')).toBeNull();
  });

  it('renders nothing without a search', () => {
    const relay = withRelay({}, <SearchHint q="" />);
    expect(relay.calls.filter((c) => c.url.pathname === '/api/captured')).toEqual([]);
  });
});
