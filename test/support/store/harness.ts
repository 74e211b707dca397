import { afterEach, beforeEach } from 'vitest';
import type { MessageEvent } from '../../../src/core/messages/types.js';
import type { Store, StoreAnnouncements } from '../../../src/core/store/ports.js';

/** What a store announced after its commits, in order: one entry per announcement. */
export interface RecordedAnnouncements {
  messages: MessageEvent[][];
  accounts: string[][];
  tenants: string[][];
}

/** A fresh, empty store under test, what it announced so far, and how to throw it away. */
export interface StoreUnderTest {
  store: Store;
  announced: RecordedAnnouncements;
  /** writes a timeline row of a message that does not exist, as older versions could leave (the ports cannot) */
  plantOrphanEvent: (messageId: string, ts: number) => Promise<void>;
  cleanup: () => Promise<void>;
}

/** Opens a fresh, empty store of the backend under test (the only backend-specific part of the suite). */
export type StoreFactory = () => Promise<StoreUnderTest>;

/** Announcement hooks for a factory to pass to its backend, and the record they fill. */
export function recordAnnouncements(): {
  announced: RecordedAnnouncements;
  hooks: Required<Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged'>>;
} {
  const announced: RecordedAnnouncements = { messages: [], accounts: [], tenants: [] };
  return {
    announced,
    hooks: {
      onMessageEvents: (events) => announced.messages.push(events),
      onAccountsChanged: (ids) => announced.accounts.push(ids),
      onTenantsChanged: (ids) => announced.tenants.push(ids),
    },
  };
}

export interface StoreContext {
  readonly store: Store;
  readonly announced: RecordedAnnouncements;
  plantOrphanEvent(messageId: string, ts: number): Promise<void>;
  /** forgets what was announced so far (set-up noise) */
  forget(): void;
}

/** A fresh store for every test of the enclosing describe block, thrown away after it. */
export function useStore(factory: StoreFactory): StoreContext {
  let current: StoreUnderTest | null = null;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = null;
  });
  const get = (): StoreUnderTest => {
    if (!current) throw new Error('no store: use the context inside a test');
    return current;
  };
  return {
    get store() {
      return get().store;
    },
    get announced() {
      return get().announced;
    },
    plantOrphanEvent(messageId, ts) {
      return get().plantOrphanEvent(messageId, ts);
    },
    forget() {
      get().announced.messages.length = 0;
      get().announced.accounts.length = 0;
      get().announced.tenants.length = 0;
    },
  };
}

/** Announced timeline rows as `id:type:state`, in announcement order. */
export function announcedRows(announced: RecordedAnnouncements): string[] {
  return announced.messages.flat().map((e) => `${e.message_id}:${e.type}:${e.state}`);
}
