import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('zod in the page', () => {
  it('parses without eval, configured before any schema is built (the CSP forbids eval)', async () => {
    const main = fs.readFileSync(path.join(process.cwd(), 'src/renderer/src/main.tsx'), 'utf8');
    expect(main.split('\n')[0]).toBe("import './zod-setup.js';");
    await import('../../src/renderer/src/zod-setup.js');
    expect(z.config().jitless).toBe(true);
  });
});
