import type { HeldWork, Tenant, TenantsPort } from '../store/ports.js';
import { heldWork } from '../tenants/suspension.js';

/**
 * The tenants as the engine sees them: what their suspensions hold back from claims, computed from a
 * snapshot of the store's tenants reloaded after the store announces a change (as AccountBook does).
 */
export class TenantBook {
  private held: HeldWork | undefined = undefined;
  private stale = true;

  /** The store committed a change of tenants: the next claim reloads the snapshot first. */
  markStale(): void {
    this.stale = true;
  }

  isStale(): boolean {
    return this.stale;
  }

  /** Reloads the snapshot; a change announced while it loads leaves it stale for the next claim. */
  async reload(port: Pick<TenantsPort, 'list'>): Promise<void> {
    this.stale = false;
    let tenants: Tenant[];
    try {
      tenants = await port.list();
    } catch (err) {
      this.stale = true;
      throw err;
    }
    this.held = heldWork(tenants);
  }

  /** What claims must leave in the queue (undefined: nothing). */
  heldWork(): HeldWork | undefined {
    return this.held;
  }
}
