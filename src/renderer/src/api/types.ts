/**
 * The API's shapes as the UI reads them. Every answer and frame is a contract of src/shared/api
 * (types derived with z.infer); what is here on top exists only in the UI.
 */
import type { z } from 'zod';
import type { accountInput, CapturedAnnouncement, CapturedSummary, Stats, StatsFrame } from '../../../shared/api/index.js';

export type {
  AccountView,
  AttachmentView,
  CapturedAnnouncement,
  CapturedAttachment,
  CapturedDetail,
  CapturedSummary,
  ClassicAccountInfo,
  DeliveryMode,
  HeaderList,
  LimitBehavior,
  MessageDetail,
  MessageEvent,
  MessageState,
  MessageSummary,
  Priority,
  PublicSettings,
  RateWindow,
  ReleaseAnswer,
  ReportOutcome,
  ReportStatus,
  Settings,
  SettingsPatch,
  Stats,
  StatsFrame,
  TenantOverview,
  TenantsOverview,
  VerifyResult,
} from '../../../shared/api/index.js';

/** A cursor-paginated list as the live lists load it. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** POST /account as the account form sends it (the classic AccountPayload before coercion). */
export type AccountInput = z.input<typeof accountInput>;

/** The `stats` frames merged with the last GET /api/stats (accounts and report only come from the latter). */
export type StatsState = StatsFrame & Partial<Pick<Stats, 'accounts' | 'report'>>;

/** A row of the captured list: a summary from a page, or the announcement of a mail just captured. */
export type CapturedListItem = CapturedAnnouncement & Partial<Omit<CapturedSummary, keyof CapturedAnnouncement>> & { read: boolean };
