import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mailparser } from '../../../src/core/sink/mailparser-lazy.js';
import { PROJECT_ROOT } from '../../support/common/paths.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('mailparser is loaded on first use', () => {
  it('no source file imports it but for its types, save the lazy loader', () => {
    const valueImports = sources(path.join(PROJECT_ROOT, 'src'))
      .filter((f) => !f.endsWith(path.join('sink', 'mailparser-lazy.ts')))
      .filter((f) => /^import (?!type )[^;]*from 'mailparser'|import\('mailparser'\)|require\('mailparser'\)/m.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(PROJECT_ROOT, f));
    expect(valueImports).toEqual([]);
  });

  it('loads the parser once, on the first call', () => {
    expect(mailparser()).toBe(mailparser());
    expect(typeof mailparser().simpleParser).toBe('function');
    expect(mailparser().parseAddressHeader('"Smith, Ann" <ann@example.com>').value).toEqual([{ name: 'Smith, Ann', address: 'ann@example.com' }]);
  });
});
