import { describe, expect, it } from 'vitest';
import { authSecurityOf, connectionOptions, tlsModeOf, transportSecurity, Transports } from '../../../src/core/delivery/transports.js';
import { defaultConfig } from '../../../src/core/config/types.js';
import { accountWithDefaults } from '../../../src/core/store/records.js';
import { startSmtpTarget } from '../../support/smtp/smtp-target.js';

describe('transport TLS mode', () => {
  it('implicit TLS on 465 or use_tls; STARTTLS required on 587', () => {
    expect(tlsModeOf({ port: 465, use_tls: null })).toEqual({ secure: true, requireTLS: false });
    expect(tlsModeOf({ port: 2525, use_tls: true })).toEqual({ secure: true, requireTLS: false });
    expect(tlsModeOf({ port: 587, use_tls: null })).toEqual({ secure: false, requireTLS: true });
    expect(tlsModeOf({ port: 587, use_tls: true })).toEqual({ secure: false, requireTLS: true });
    expect(tlsModeOf({ port: 25, use_tls: false })).toEqual({ secure: false, requireTLS: false });
  });
});

describe('credentials only over TLS, except to this machine (#17.7)', () => {
  const remote = accountWithDefaults({ id: 'r', host: 'smtp.example.com', port: 25, user: 'me', password: 'pw' });

  it('a remote host with credentials gets STARTTLS required', () => {
    expect(authSecurityOf(remote)).toBe('tls-required');
    expect(transportSecurity(remote)).toEqual({ secure: false, requireTLS: true });
    const options = connectionOptions({ ...remote, created_at: '', updated_ts: 0 }, defaultConfig());
    expect(options).toMatchObject({ host: 'smtp.example.com', secure: false, requireTLS: true, auth: { user: 'me', pass: 'pw' } });
  });

  it('implicit TLS, the submission port, no credentials, a loopback host or allow_insecure_auth leave the mode as it was', () => {
    expect(authSecurityOf({ ...remote, port: 465 })).toBe('tls');
    expect(transportSecurity({ ...remote, port: 465 })).toEqual({ secure: true, requireTLS: false });
    expect(authSecurityOf({ ...remote, port: 587 })).toBe('tls');
    expect(authSecurityOf({ ...remote, password: null })).toBe('no-credentials');
    expect(transportSecurity({ ...remote, password: null })).toEqual({ secure: false, requireTLS: false });
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.53']) {
      expect(authSecurityOf({ ...remote, host }), host).toBe('loopback');
      expect(transportSecurity({ ...remote, host }), host).toEqual({ secure: false, requireTLS: false });
    }
    expect(authSecurityOf({ ...remote, allow_insecure_auth: true })).toBe('insecure-allowed');
    expect(transportSecurity({ ...remote, allow_insecure_auth: true })).toEqual({ secure: false, requireTLS: false });
    // a private network is not this machine
    expect(authSecurityOf({ ...remote, host: '192.168.1.10' })).toBe('tls-required');
  });

  it('a loopback server without TLS still takes AUTH, end to end', async () => {
    const target = await startSmtpTarget({ auth: { user: 'me', pass: 'pw' } });
    const transports = new Transports(defaultConfig(), () => Date.now());
    try {
      const account = { ...accountWithDefaults({ id: 'l', host: target.host, port: target.port, user: 'me', password: 'pw' }), created_at: '', updated_ts: 0 };
      expect(await transports.verify(account)).toEqual({ ok: true, stage: 'ok', message: 'connected and authenticated' });
      await transports.send(transports.forAccount(account), { from: 'a@example.com', to: 'b@example.com', subject: 'auth', text: 'x' });
      expect(target.messages).toHaveLength(1);
    } finally {
      transports.closeAll();
      await target.close();
    }
  });
});
