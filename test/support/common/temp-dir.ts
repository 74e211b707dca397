import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the system's temp folder. */
export function tempDir(prefix = 'gmr-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
