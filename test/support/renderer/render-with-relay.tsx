import { cleanup, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { RelayProvider } from '../../../src/renderer/src/state/relay-context.js';
import { FakeEventSource, SETTINGS, STATS, fakeRelay, type Handler } from './fake-relay.js';

/** For a component test file: a clean DOM around each test, and scroll containers with a size. */
export function useComponentDom(): void {
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
}

/** Renders `ui` inside a RelayProvider whose API answers from `routes` (stats, settings and accounts by default). */
export function withRelay(routes: Record<string, Handler>, ui: ReactNode) {
  const relay = fakeRelay({ 'GET /api/stats': () => STATS, 'GET /api/settings': () => SETTINGS, 'GET /api/accounts': () => ({ items: [], next_cursor: null }), ...routes });
  render(
    <RelayProvider connection={relay.api.connection} onUnauthorized={() => {}} api={relay.api} events={relay.events}>
      {ui}
    </RelayProvider>,
  );
  return relay;
}
