import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../src/renderer/src/api/client.js';
import { AccountFormPanel } from '../../../../src/renderer/src/views/accounts/AccountFormPanel.js';
import { account } from '../../../support/renderer/fake-relay.js';
import { useComponentDom } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

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
