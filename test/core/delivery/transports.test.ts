import { describe, expect, it } from 'vitest';
import { tlsModeOf } from '../../../src/core/delivery/transports.js';

describe('transport TLS mode', () => {
  it('implicit TLS on 465 or use_tls; STARTTLS required on 587', () => {
    expect(tlsModeOf({ port: 465, use_tls: null })).toEqual({ secure: true, requireTLS: false });
    expect(tlsModeOf({ port: 2525, use_tls: true })).toEqual({ secure: true, requireTLS: false });
    expect(tlsModeOf({ port: 587, use_tls: null })).toEqual({ secure: false, requireTLS: true });
    expect(tlsModeOf({ port: 587, use_tls: true })).toEqual({ secure: false, requireTLS: true });
    expect(tlsModeOf({ port: 25, use_tls: false })).toEqual({ secure: false, requireTLS: false });
  });
});
