import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../src/renderer/src/api/types.js';
import { RehearseLimitsToggle } from '../../../../src/renderer/src/views/settings/RehearseLimitsToggle.js';
import { SETTINGS } from '../../../support/renderer/fake-relay.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

describe('RehearseLimitsToggle', () => {
  it('is off by default and turns sandbox_rehearse_limits on with one PATCH', async () => {
    const patches: unknown[] = [];
    withRelay(
      {
        'PATCH /api/settings': (_u, init) => {
          const patch = JSON.parse(String(init.body));
          patches.push(patch);
          return { ...SETTINGS, ...patch };
        },
      },
      <RehearseLimitsToggle settings={SETTINGS as Settings} />,
    );
    const box = screen.getByLabelText<HTMLInputElement>(/obeys the accounts' rate limits/);
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await waitFor(() => expect(patches).toEqual([{ sandbox_rehearse_limits: true }]));
  });

  it('shows the error of a refused change', async () => {
    withRelay(
      { 'PATCH /api/settings': () => new Response(JSON.stringify({ error: { code: 'invalid', message: 'sandbox_rehearse_limits: Expected boolean' } }), { status: 400 }) },
      <RehearseLimitsToggle settings={{ ...SETTINGS, sandbox_rehearse_limits: true } as Settings} />,
    );
    const box = screen.getByLabelText<HTMLInputElement>(/obeys the accounts' rate limits/);
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect((await screen.findByText(/Expected boolean/)).textContent).toContain('sandbox_rehearse_limits');
  });
});
