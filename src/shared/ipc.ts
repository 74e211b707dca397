/**
 * The one IPC contract between the Electron main process and the preload script.
 * `IpcInvokeChannelMap` types both `handle()` in main and `invoke()` in preload, so a channel's
 * arguments and result cannot drift apart. Every answer crosses IPC as an `IpcResult` envelope:
 * Electron drops custom properties of errors thrown across invoke, the envelope keeps the code.
 */

export const IpcChannel = {
  RelayConnection: 'relay:connection',
  AppInfo: 'app:info',
  OpenExternal: 'shell:open-external',
  OpenDataFolder: 'shell:open-data-folder',
  ShowItemInFolder: 'shell:show-item-in-folder',
  CopyText: 'clipboard:write-text',
} as const;

export type IpcChannelName = (typeof IpcChannel)[keyof typeof IpcChannel];

/** How the renderer reaches the relay it runs on: HTTP + SSE with this base URL and token. */
export interface RelayConnectionInfo {
  /** base URL of the API, e.g. http://127.0.0.1:8000 */
  url: string;
  token: string;
  smtp: { host: string; port: number };
}

export interface AppInfo {
  name: string;
  version: string;
  electron: string;
  chrome: string;
  node: string;
  platform: string;
  packaged: boolean;
  dataDir: string;
}

export interface IpcInvokeChannelMap {
  [IpcChannel.RelayConnection]: () => RelayConnectionInfo;
  [IpcChannel.AppInfo]: () => AppInfo;
  /** http(s) and mailto URLs only */
  [IpcChannel.OpenExternal]: (url: string) => void;
  [IpcChannel.OpenDataFolder]: () => void;
  /** a file inside the data folder or the downloads folder */
  [IpcChannel.ShowItemInFolder]: (path: string) => void;
  [IpcChannel.CopyText]: (text: string) => void;
}

export type IpcArgs<C extends IpcChannelName> = Parameters<IpcInvokeChannelMap[C]>;
export type IpcReturn<C extends IpcChannelName> = Awaited<ReturnType<IpcInvokeChannelMap[C]>>;

export interface IpcErrorBody {
  code: string;
  message: string;
}

export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcErrorBody };

/** An error meant to reach the renderer with its code (bad argument, refused action). */
export class IpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'IpcError';
  }
}

export function isIpcResult(value: unknown): value is IpcResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: unknown };
  if (v.ok === true) return 'data' in value;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

/** Name under which the preload exposes `DesktopApi` on `window`. */
export const DESKTOP_API_KEY = 'relayDesktop';

/**
 * What the preload exposes to the renderer (`window.relayDesktop`, absent in a plain browser).
 * A failed call rejects with a plain `IpcErrorBody` ({code, message}), not an Error: the context
 * bridge would strip an Error's code.
 */
export interface DesktopApi {
  readonly platform: string;
  /** the relay's base URL and token (and the sandbox SMTP address) */
  getConnection(): Promise<RelayConnectionInfo>;
  appInfo(): Promise<AppInfo>;
  openExternal(url: string): Promise<void>;
  openDataFolder(): Promise<void>;
  showItemInFolder(path: string): Promise<void>;
  copyText(text: string): Promise<void>;
}
