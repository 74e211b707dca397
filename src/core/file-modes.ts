import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Clears the group and other bits of each path that exists (the data folder 0700, its database,
 * WAL, token and key files 0600); returns the paths it changed. POSIX only: Windows has ACLs instead.
 */
export function makePrivate(paths: readonly string[]): string[] {
  if (process.platform === 'win32') return [];
  const changed: string[] = [];
  for (const p of paths) {
    let mode: number;
    try {
      mode = fs.statSync(p).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) === 0) continue;
    fs.chmodSync(p, mode & 0o700);
    changed.push(p);
  }
  return changed;
}
