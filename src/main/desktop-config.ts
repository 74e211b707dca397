import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_SOURCES, loadConfig, type LoadedConfig } from '../core/config/load.js';

/** The desktop app's own switches (everything else on the command line belongs to Chromium or the relay). */
export interface DesktopSwitches {
  /** start in the tray without showing the window (start at login) */
  hidden: boolean;
}

const RELAY_FLAGS = new Set<string>([
  'config',
  ...Object.values(CONFIG_SOURCES)
    .map((s) => s.flag)
    .filter((f): f is string => typeof f === 'string'),
]);

/**
 * Splits the Electron command line: relay options (the same flags as `serve`) go to the config
 * loader; `--hidden` is ours; Chromium switches and the app path are dropped.
 */
export function splitDesktopArgv(argv: string[]): { relayArgv: string[]; switches: DesktopSwitches } {
  const relayArgv: string[] = [];
  const switches: DesktopSwitches = { hidden: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--hidden') {
      switches.hidden = true;
      continue;
    }
    const m = /^--([^=]+)(=.*)?$/.exec(arg);
    if (!m || !RELAY_FLAGS.has(m[1])) continue;
    relayArgv.push(arg);
    if (m[2] === undefined && i + 1 < argv.length) relayArgv.push(argv[++i]);
  }
  return { relayArgv, switches };
}

export interface DesktopConfigInput {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** the per-user app data folder: the default data directory and the home of config.ini */
  userDataDir: string;
}

/**
 * The relay configuration for the desktop app: the headless loader (flags > config.ini > GMP_* >
 * defaults) with the per-user folder as default data directory. A config.ini in the working
 * directory wins (`npm start` from a project reads the same file `serve` would); otherwise the one
 * in the per-user folder is used.
 */
export function loadDesktopConfig(input: DesktopConfigInput): LoadedConfig & { switches: DesktopSwitches } {
  const { relayArgv, switches } = splitDesktopArgv(input.argv);
  const explicit = relayArgv.some((a) => a === '--config' || a.startsWith('--config=')) || !!input.env.GMP_CONFIG;
  const userIni = path.join(input.userDataDir, 'config.ini');
  const argv =
    !explicit && !fs.existsSync(path.join(input.cwd, 'config.ini')) && fs.existsSync(userIni)
      ? [...relayArgv, '--config', userIni]
      : relayArgv;
  const loaded = loadConfig({ argv, env: input.env, cwd: input.cwd, defaultDataDir: input.userDataDir });
  return { ...loaded, switches };
}
