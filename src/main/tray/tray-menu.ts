import type { DeliveryMode } from '../../core/config/types.js';
import type { MenuItemTemplate } from '../electron-types.js';
import type { RelayStatusSnapshot } from './relay-status.js';

export const APP_TITLE = 'Genro Mail Relay';

/** What the tray menu's items do; implemented by the desktop app over the relay and Electron. */
export interface TrayActions {
  setMode(mode: DeliveryMode): void | Promise<void>;
  setPaused(paused: boolean): void;
  /** the sandbox obeys the accounts' rate limits (#18.5) */
  setRehearseLimits(enabled: boolean): void;
  openWindow(): void;
  copySmtpSettings(): void;
  copyApiSettings(): void;
  setStartAtLogin(enabled: boolean): void;
  setNotificationsMuted(muted: boolean): void;
  quit(): void;
}

export interface TrayMenuPrefs {
  /** null where the platform cannot start the app at login */
  startAtLogin: boolean | null;
  notificationsMuted: boolean;
  /** the runtime setting sandbox_rehearse_limits */
  rehearseLimits: boolean;
}

function headline(s: RelayStatusSnapshot): string {
  const mode = s.mode === 'sandbox' ? 'Sandbox: mail is captured, not delivered' : 'Real delivery';
  return s.paused ? `Paused (${s.mode === 'sandbox' ? 'sandbox' : 'real delivery'})` : mode;
}

function problem(s: RelayStatusSnapshot): string | null {
  if (s.deliveryProblem) return `Delivery failing: ${s.deliveryProblem}`;
  if (s.syncProblem) return `Upstream sync failing: ${s.syncProblem}`;
  return null;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The tray menu for a relay state; rebuilt whole on every change (menus are immutable once built). */
export function buildTrayMenuTemplate(s: RelayStatusSnapshot, prefs: TrayMenuPrefs, actions: TrayActions): MenuItemTemplate[] {
  const trouble = problem(s);
  const items: MenuItemTemplate[] = [
    { id: 'status', label: headline(s), enabled: false },
    ...(trouble ? [{ id: 'problem', label: clip(trouble, 80), enabled: false }] : []),
    { type: 'separator' },
    {
      id: 'mode-sandbox',
      label: 'Sandbox (capture mail)',
      type: 'radio',
      checked: s.mode === 'sandbox',
      click: () => {
        if (s.mode !== 'sandbox') void actions.setMode('sandbox');
      },
    },
    {
      id: 'mode-real',
      label: 'Real delivery',
      type: 'radio',
      checked: s.mode === 'real',
      click: () => {
        if (s.mode !== 'real') void actions.setMode('real');
      },
    },
    {
      id: 'rehearse-limits',
      label: 'Rehearse limits in the sandbox',
      type: 'checkbox',
      checked: prefs.rehearseLimits,
      click: () => actions.setRehearseLimits(!prefs.rehearseLimits),
    },
    { type: 'separator' },
    {
      id: 'pause',
      label: s.paused ? 'Resume dispatch' : 'Pause dispatch',
      click: () => actions.setPaused(!s.paused),
    },
    { type: 'separator' },
    {
      id: 'count-pending',
      label: `Queued: ${s.pending}${s.deferred ? ` (${s.deferred} deferred)` : ''}`,
      enabled: false,
    },
    { id: 'count-failed', label: `Failed: ${s.failed}`, enabled: false },
    { id: 'count-captured', label: `Captured, unread: ${s.capturedUnread}`, enabled: false },
    { type: 'separator' },
    { id: 'open', label: `Open ${APP_TITLE}`, click: () => actions.openWindow() },
    { id: 'copy-smtp', label: 'Copy SMTP settings', click: () => actions.copySmtpSettings() },
    { id: 'copy-api', label: 'Copy API URL and token', click: () => actions.copyApiSettings() },
    { type: 'separator' },
    ...(prefs.startAtLogin === null
      ? []
      : [
          {
            id: 'login',
            label: 'Start at login',
            type: 'checkbox' as const,
            checked: prefs.startAtLogin,
            click: () => actions.setStartAtLogin(!prefs.startAtLogin),
          },
        ]),
    {
      id: 'mute',
      label: 'Mute notifications',
      type: 'checkbox',
      checked: prefs.notificationsMuted,
      click: () => actions.setNotificationsMuted(!prefs.notificationsMuted),
    },
    { type: 'separator' },
    { id: 'quit', label: `Quit ${APP_TITLE}`, click: () => actions.quit() },
  ];
  return items;
}

/** One line for the tray tooltip (Windows cuts tooltips at 127 characters). */
export function formatTooltip(s: RelayStatusSnapshot): string {
  const parts = [
    s.paused ? `paused (${s.mode})` : s.mode === 'sandbox' ? 'sandbox' : 'REAL delivery',
    `${s.pending} queued`,
    `${s.failed} failed`,
    `${s.capturedUnread} captured unread`,
  ];
  const trouble = problem(s);
  if (trouble) parts.push(trouble);
  return clip(`${APP_TITLE} — ${parts.join(' · ')}`, 127);
}

/** What "Copy SMTP settings" puts on the clipboard: the sandbox sink an application sends to. */
export function smtpSettingsText(s: RelayStatusSnapshot): string {
  return [
    `SMTP host: ${s.smtp.host}`,
    `SMTP port: ${s.smtp.port}`,
    'Security: none (STARTTLS optional)',
    'Authentication: optional (any user name and password are accepted)',
  ].join('\n');
}

/** What "Copy API URL and token" puts on the clipboard (genro-mail-proxy settings of a Genropy app). */
export function apiSettingsText(s: RelayStatusSnapshot): string {
  return [`API URL: ${s.api.url}`, `API token: ${s.api.token}`].join('\n');
}
