import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../src/renderer/src/api/types.js';
import { RetentionSection } from '../../../../src/renderer/src/views/settings/RetentionSection.js';
import { SETTINGS } from '../../../support/renderer/fake-relay.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

describe('RetentionSection', () => {
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
