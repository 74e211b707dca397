import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../src/renderer/src/api/client.js';
import { LoginView } from '../../../../src/renderer/src/views/login/LoginView.js';
import { useComponentDom } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

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
