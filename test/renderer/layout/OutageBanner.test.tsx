import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Header } from '../../../src/renderer/src/layout/Header.js';
import { OutageBanner } from '../../../src/renderer/src/layout/OutageBanner.js';
import { FakeEventSource } from '../../support/renderer/fake-relay.js';
import { useComponentDom, withRelay } from '../../support/renderer/render-with-relay.js';

useComponentDom();

describe('OutageBanner (#20.7)', () => {
  it('says the relay is unreachable while the stream retries, dims the counts, and goes away when it is back', async () => {
    withRelay(
      {},
      <>
        <OutageBanner />
        <Header />
      </>,
    );
    const es = FakeEventSource.last();
    act(() => es.open());
    await screen.findByText('1');
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => es.fail(false));
    expect((await screen.findByRole('alert')).textContent).toContain('Relay unreachable — retrying');
    expect(screen.getByRole('navigation', { name: 'Messages by state' }).className).toContain('stale');
    act(() => es.open());
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('navigation', { name: 'Messages by state' }).className).not.toContain('stale');
  });
});
