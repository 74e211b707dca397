import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import type { RelayBus } from '../events.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Priority } from '../messages/types.js';
import type { Reporter } from '../report/reporter.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { Sink } from '../sink/sink.js';
import { EMULATION_OFF, type EmulationConfig } from '../../shared/api/emulation.js';
import type { Store } from '../store/ports.js';
import { createAccountsService, type AccountsService } from './accounts.js';
import { createCapturedService, type CapturedService } from './captured.js';
import { createCapturedToolsService, type CapturedToolsService } from './captured-tools.js';
import { createControlService, type ControlService } from './control.js';
import { createEmulationService, type EmulationService } from './emulation.js';
import { createMailboxesService, type MailboxesService } from './mailboxes.js';
import { MessageIntake } from './intake.js';
import { createMailpitService, type MailpitService } from './mailpit.js';
import { createLiveEventsService, type LiveEventsService } from './live-events.js';
import { createMessagesService, type MessagesService } from './messages.js';
import { createSendService, type SendService } from './send.js';
import { createSettingsService, type ListenAddresses, type SettingsService } from './settings.js';
import { createStatsService, type StatsService } from './stats.js';
import { createTenantsService, type TenantSyncClock, type TenantsService } from './tenants.js';
import { createTenantViewsService, type TenantViewsService } from './tenant-views.js';

/**
 * Everything the API and the desktop shell may ask of the relay, one service per domain. Each owns
 * its rules and announces its own changes (wakes, bus events) after its store call returned.
 */
export interface RelayServices {
  readonly messages: MessagesService;
  readonly accounts: AccountsService;
  readonly captured: CapturedService;
  /** Mailpit API v1 over the captured mail */
  readonly mailpit: MailpitService;
  /** provider emulation of the sandbox sink */
  readonly emulation: EmulationService;
  /** captured mail by mailbox (SMTP username) */
  readonly mailboxes: MailboxesService;
  /** HTML check, link check, attachment previews of captured mail */
  readonly capturedTools: CapturedToolsService;
  readonly send: SendService;
  readonly settings: SettingsService;
  readonly stats: StatsService;
  readonly control: ControlService;
  readonly tenants: TenantsService;
  /** the tenants as the web UI shows them (GET /api/tenants) */
  readonly tenantViews: TenantViewsService;
  readonly events: LiveEventsService;
  /** the Prometheus exposition */
  readonly metrics: Pick<Metrics, 'contentType' | 'render'>;
}

/** The collaborators the services are built from (the composition root has them all). */
export interface RelayServicesDeps {
  store: Store;
  settings: RuntimeSettings;
  bus: RelayBus;
  clock: Clock;
  logger: Logger;
  defaultPriority: Priority;
  /** `[delivery] max_recipients` */
  maxRecipients?: number;
  dispatcher: Pick<Dispatcher, 'accountStatus' | 'rateLimitState' | 'verifyAccount' | 'inFlight'>;
  sink: Pick<Sink, 'flushIndexing' | 'emulation'>;
  /** config.ini's provider emulation rules */
  emulationDefaults?: EmulationConfig;
  reporter: Pick<Reporter, 'status' | 'cleanup' | 'runNow'>;
  metrics: Pick<Metrics, 'contentType' | 'render'>;
  addresses: () => ListenAddresses;
  /** the configured API token: the admin token */
  adminToken: string;
  /** how each tenant's report loop stands (GET /tenants/sync-status) */
  tenantSync?: TenantSyncClock;
  /** `[sandbox] link_check_private` */
  linkCheckPrivate?: boolean;
}

export function createRelayServices(deps: RelayServicesDeps): RelayServices {
  const { store, settings, bus, clock } = deps;
  const intake = new MessageIntake({ store, bus, clock, maxRecipients: deps.maxRecipients });
  const stats = createStatsService({ messages: store.messages, captured: store.captured, settings, dispatcher: deps.dispatcher, reporter: deps.reporter });
  const tenants = createTenantsService({
    tenants: store.tenants,
    messages: store.messages,
    store,
    adminToken: deps.adminToken,
    settings,
    bus,
    clock,
    sync: deps.tenantSync,
  });
  const captured = createCapturedService({ captured: store.captured, messages: store.messages, sink: deps.sink, intake, bus });
  const send = createSendService({ intake, messages: store.messages, settings, bus });
  const accounts = createAccountsService({
    accounts: store.accounts,
    store,
    dispatcher: deps.dispatcher,
    tenantMustExist: (tenantId) => tenants.mustExist(tenantId),
    bus,
    clock,
  });
  return {
    messages: createMessagesService({
      messages: store.messages,
      intake,
      cleanup: (olderThan, tenantId) => deps.reporter.cleanup(olderThan, tenantId),
      bus,
      clock,
      defaultPriority: deps.defaultPriority,
    }),
    accounts,
    captured,
    mailpit: createMailpitService({ captured, capturedPort: store.captured, send, accounts, clock }),
    mailboxes: createMailboxesService({ captured: store.captured, capturedService: captured }),
    emulation: createEmulationService({ sink: deps.sink, store: store.settings, defaults: deps.emulationDefaults ?? EMULATION_OFF }),
    capturedTools: createCapturedToolsService({ captured: store.captured, linkCheck: { allowPrivate: deps.linkCheckPrivate ?? false } }),
    send,
    settings: createSettingsService({ settings, store: store.settings, addresses: deps.addresses }),
    stats,
    control: createControlService({ settings, bus, tenants, reporting: deps.reporter }),
    tenants,
    tenantViews: createTenantViewsService({ tenants }),
    events: createLiveEventsService({ bus, stats, logger: deps.logger }),
    metrics: deps.metrics,
  };
}

export type { AccountsService, AccountView, PublicAccount } from './accounts.js';
export type { CapturedService, CapturedPage, CapturedDetail, ReleaseRequest, ReleaseResult } from './captured.js';
export type { ControlService, SuspensionRequest } from './control.js';
export type { MailpitService } from './mailpit.js';
export type { EmulationService } from './emulation.js';
export type { MailboxesService } from './mailboxes.js';
export type { FrameClient, LiveEventName, LiveEventsService } from './live-events.js';
export type { AddMessagesResult, MessageDetail, MessagesService } from './messages.js';
export type { SendOutcome, SendRequest, SendService } from './send.js';
export type { ListenAddresses, SettingsService, SettingsView } from './settings.js';
export type { LiveStats, StatsOverview, StatsService } from './stats.js';
export type { TenantSyncClock, TenantsService } from './tenants.js';
export type { TenantViewsService } from './tenant-views.js';
export type { AddMessagesRequest } from './messages.js';
export { ADMIN, type Principal } from './scope.js';
export { sqlTimestamp, withoutNulls, type WithoutNulls } from './views.js';
