import type { Logger } from 'pino';
import type { TenantsPort } from '../store/ports.js';
import type { TenantReportState } from './report-status.js';
import type { SyncTarget } from './sync-client.js';
import { planLoops, targetKey } from './sync-decisions.js';
import type { TenantLoop } from './tenant-loop.js';

export interface TenantLoopsDeps {
  tenants: Pick<TenantsPort, 'list'>;
  /** a loop for the tenant; `target()` gives its destination as the set knows it now */
  makeLoop: (tenantId: string, target: () => SyncTarget) => TenantLoop;
  logger: Logger;
}

interface Entry {
  loop: TenantLoop;
  target: SyncTarget;
  key: string;
}

/**
 * The report loops of the registered tenants: one per active tenant with a client_base_url, created,
 * pointed elsewhere or stopped as the store announces tenant changes.
 */
export class TenantLoops {
  private readonly entries = new Map<string, Entry>();
  private readonly stopping = new Set<Promise<void>>();
  private reloading: Promise<void> | null = null;
  private again = false;
  private started = false;

  constructor(private readonly deps: TenantLoopsDeps) {}

  start(): Promise<void> {
    this.started = true;
    return this.reload();
  }

  /** Re-reads the tenants and reconciles the loops (one reload at a time; asked meanwhile, it runs once more). */
  reload(): Promise<void> {
    if (!this.started) return Promise.resolve();
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        await this.reconcile();
      } while (this.again && this.started);
    })()
      .catch((err) => this.deps.logger.error({ err }, 'could not load the tenants to report to'))
      .finally(() => {
        this.reloading = null;
      });
    return this.reloading;
  }

  get(tenantId: string): TenantLoop | null {
    return this.entries.get(tenantId)?.loop ?? null;
  }

  all(): TenantLoop[] {
    return [...this.entries.values()].map((e) => e.loop);
  }

  views(): TenantReportState[] {
    return [...this.entries.values()].map((e) => e.loop.view(e.target.url)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  view(tenantId: string): TenantReportState | null {
    const e = this.entries.get(tenantId);
    return e ? e.loop.view(e.target.url) : null;
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.reloading;
    for (const id of [...this.entries.keys()]) this.drop(id);
    await Promise.allSettled([...this.stopping]);
  }

  private async reconcile(): Promise<void> {
    const tenants = await this.deps.tenants.list();
    if (!this.started) return;
    const plan = planLoops(new Map([...this.entries].map(([id, e]) => [id, e.key])), tenants);
    for (const id of plan.stop) this.drop(id);
    for (const { id, target } of plan.retarget) {
      const e = this.entries.get(id)!;
      e.target = target;
      e.key = targetKey(target);
      e.loop.retarget();
    }
    for (const { id, target } of plan.start) {
      // the loop reads its destination from its entry, which a retarget updates in place
      const holder: { entry?: Entry } = {};
      const loop = this.deps.makeLoop(id, () => holder.entry?.target ?? target);
      holder.entry = { loop, target, key: targetKey(target) };
      this.entries.set(id, holder.entry);
      loop.start();
    }
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    const done = e.loop.stop().finally(() => this.stopping.delete(done));
    this.stopping.add(done);
  }
}
