import { cleanup, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { RateGauge } from '../../../../src/renderer/src/views/accounts/RateGauge.js';
import { useComponentDom } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

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
