import path from 'node:path';
import { z } from 'zod';
import {
  IpcChannel,
  IpcError,
  type AppInfo,
  type IpcArgs,
  type IpcChannelName,
  type IpcResult,
  type IpcReturn,
  type RelayConnectionInfo,
} from '../shared/ipc.js';
import type { ClipboardLike, IpcMainInvokeEventLike, IpcMainLike, ShellLike } from './electron-types.js';

/** One implementation per channel, typed by the shared channel map. */
export type IpcHandlers = {
  [C in IpcChannelName]: (...args: IpcArgs<C>) => IpcReturn<C> | Promise<IpcReturn<C>>;
};

/** Renderer input is untrusted: each channel's arguments are checked before its handler runs. */
const ARGS: { [C in IpcChannelName]: z.ZodType<IpcArgs<C>> } = {
  [IpcChannel.RelayConnection]: z.tuple([]),
  [IpcChannel.AppInfo]: z.tuple([]),
  [IpcChannel.OpenExternal]: z.tuple([z.string().min(1).max(8192)]),
  [IpcChannel.OpenDataFolder]: z.tuple([]),
  [IpcChannel.ShowItemInFolder]: z.tuple([z.string().min(1).max(4096)]),
  [IpcChannel.CopyText]: z.tuple([z.string().max(1_000_000)]),
};

function toErrorBody(err: unknown): { code: string; message: string } {
  if (err instanceof IpcError) return { code: err.code, message: err.message };
  if (err instanceof z.ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? `argument ${issue.path.join('.')}: ` : '';
    return { code: 'invalid_argument', message: `${where}${issue?.message ?? 'invalid arguments'}` };
  }
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'internal';
  return { code, message: err instanceof Error ? err.message : String(err) };
}

/** Runs a channel's handler on raw IPC arguments and wraps the outcome in the envelope. */
export async function invokeHandler<C extends IpcChannelName>(
  handlers: IpcHandlers,
  channel: C,
  rawArgs: unknown[],
): Promise<IpcResult<IpcReturn<C>>> {
  try {
    const args = ARGS[channel].parse(rawArgs) as IpcArgs<C>;
    const handler = handlers[channel] as (...a: IpcArgs<C>) => IpcReturn<C> | Promise<IpcReturn<C>>;
    const data = await handler(...args);
    return { ok: true, data: (data ?? null) as IpcReturn<C> };
  } catch (err) {
    return { ok: false, error: toErrorBody(err) };
  }
}

/**
 * Registers every channel of the map on ipcMain. Calls from frames other than the app's own
 * renderer (a navigated-away or embedded page) are refused.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: IpcHandlers,
  isTrustedSender: (frameUrl: string) => boolean,
): () => void {
  const channels = Object.values(IpcChannel) as IpcChannelName[];
  for (const channel of channels) {
    ipcMain.handle(channel, (event: IpcMainInvokeEventLike, ...args: unknown[]) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) {
        return { ok: false, error: { code: 'forbidden', message: `IPC from ${url || 'an unknown frame'} refused` } };
      }
      return invokeHandler(handlers, channel, args);
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** A frame belongs to the app when it is on the renderer's origin. */
export function senderCheck(rendererOrigin: string): (frameUrl: string) => boolean {
  return (frameUrl) => frameUrl === rendererOrigin || frameUrl.startsWith(`${rendererOrigin}/`);
}

export interface DesktopIpcDeps {
  connection: () => RelayConnectionInfo;
  appInfo: () => AppInfo;
  shell: ShellLike;
  clipboard: ClipboardLike;
  dataDir: string;
  downloadsDir: string;
  pathExists: (p: string) => boolean;
}

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

function isInside(dir: string, p: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(p));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function createDesktopIpcHandlers(deps: DesktopIpcDeps): IpcHandlers {
  return {
    [IpcChannel.RelayConnection]: () => deps.connection(),
    [IpcChannel.AppInfo]: () => deps.appInfo(),
    [IpcChannel.OpenExternal]: async (url) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new IpcError('invalid_url', `not a URL: ${url}`);
      }
      if (!EXTERNAL_PROTOCOLS.has(parsed.protocol)) {
        throw new IpcError('invalid_url', `only http, https and mailto links open externally, not ${parsed.protocol}`);
      }
      await deps.shell.openExternal(parsed.toString());
    },
    [IpcChannel.OpenDataFolder]: async () => {
      const failure = await deps.shell.openPath(deps.dataDir);
      if (failure) throw new IpcError('open_failed', failure);
    },
    [IpcChannel.ShowItemInFolder]: (p) => {
      if (!path.isAbsolute(p) || !(isInside(deps.dataDir, p) || isInside(deps.downloadsDir, p))) {
        throw new IpcError('forbidden_path', 'only files in the data folder or the downloads folder can be shown');
      }
      if (!deps.pathExists(p)) throw new IpcError('not_found', `no such file: ${p}`);
      deps.shell.showItemInFolder(p);
    },
    [IpcChannel.CopyText]: (text) => {
      deps.clipboard.writeText(text);
    },
  };
}
