import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../src/renderer/src/api/types.js';
import { DeliverySection } from '../../../../src/renderer/src/views/settings/DeliverySection.js';
import { SETTINGS } from '../../../support/renderer/fake-relay.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

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
