import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emulationConfig, type EmulationConfig, type EmulationView } from '../../../../src/shared/api/emulation.js';
import { EmulationSection } from '../../../../src/renderer/src/views/settings/EmulationSection.js';
import { useComponentDom, withRelay } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

describe('EmulationSection', () => {
  it('lists the rules with their counters, adds a valid rule, refuses an invalid one, removes one', async () => {
    let config: EmulationConfig = emulationConfig.parse({ rules: [{ kind: 'greylist', delay_seconds: 60 }] });
    const puts: EmulationConfig[] = [];
    const view = (): EmulationView => ({ config, source: 'api', counters: config.rules.map(() => ({ matched: 3, fired: 1 })) });
    withRelay(
      {
        'GET /api/emulation': view,
        'PUT /api/emulation': (_u, init) => {
          config = emulationConfig.parse(JSON.parse(String(init.body)));
          puts.push(config);
          return view();
        },
      },
      <EmulationSection />,
    );
    await screen.findByText('Greylist (451) for 60 s');
    expect(screen.getByText('3 matched, 1 fired')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('SMTP code'), { target: { value: '250' } });
    expect(screen.getByRole('alert').textContent).toContain('code');
    expect(screen.getByRole('button', { name: 'Add rule' })).toHaveProperty('disabled', true);

    fireEvent.change(screen.getByLabelText('SMTP code'), { target: { value: '550' } });
    fireEvent.change(screen.getByLabelText('Only when'), { target: { value: 'recipient' } });
    fireEvent.change(screen.getByLabelText('Pattern'), { target: { value: 'bounce*@*' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    await screen.findByText('550 at rcpt when recipient bounce*@*');
    expect(puts.at(-1)!.rules).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Remove rule 1' }));
    await waitFor(() => expect(screen.queryByText('Greylist (451) for 60 s')).toBeNull());
    expect(puts.at(-1)!.rules.map((r) => r.kind)).toEqual(['reply']);
  });
});
