import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/core/loopback.js';

describe('isLoopbackHost', () => {
  it('is true for this machine: localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127.x', () => {
    for (const h of ['localhost', 'LOCALHOST', 'localhost.', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
  });

  it('is false for every other host: names are never resolved, private networks are not this machine', () => {
    for (const h of ['smtp.example.com', 'localhost.example.com', '10.0.0.1', '192.168.1.10', '0.0.0.0', '::', '128.0.0.1', '::ffff:10.0.0.1', '']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});
