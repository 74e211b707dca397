import crypto from 'node:crypto';
import os from 'node:os';
import type { LeaseScope, RelayInstance } from '../store/ports.js';

/** This process as the relays sharing a database know it: a random id, with host and pid for humans. */
export function newRelayInstance(now: number): RelayInstance {
  const host = os.hostname();
  return { id: `${host}/${process.pid}/${crypto.randomBytes(4).toString('hex')}`, host, pid: process.pid, started_ts: now };
}

/** How often a relay renews its leases and heartbeat: three times per lease, so one late turn never loses one. */
export function renewalSeconds(leaseSeconds: number): number {
  return Math.max(1, Math.floor(leaseSeconds / 3));
}

/** A relay counts as live while its last heartbeat is younger than one lease. */
export function leaseScope(instance: RelayInstance, leaseSeconds: number): LeaseScope {
  return { owner: instance.id, liveSeconds: leaseSeconds };
}
