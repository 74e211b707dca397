import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/** A fresh directory under the system's temp folder, removed after the test file (see setup.ts). */
export function tempDir(prefix = 'gmr-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every directory tempDir made in this process: a full run would otherwise leave gigabytes behind. */
export function removeTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}
