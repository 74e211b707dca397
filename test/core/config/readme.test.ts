import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SOURCES } from '../../../src/core/config/load.js';
import { PROJECT_ROOT } from '../../support/common/paths.js';

const README = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const ROW = /^\| `\[(\w+)\] (\w+)` \| `(GMP_\w+)` \| (?:`--([\w-]+)`|—) \|/;

describe('the README on configuration', () => {
  it('lists every key with the variable and flag the relay reads, and nothing else', () => {
    const documented = README.split('\n').flatMap((line) => {
      const m = ROW.exec(line);
      return m ? [{ section: m[1], key: m[2], env: m[3], flag: m[4] }] : [];
    });
    expect(documented).toEqual(Object.values(CONFIG_SOURCES).map((s) => ({ section: s.section, key: s.key, env: s.env, flag: s.flag })));
  });

  it('names only variables the relay reads', () => {
    const known = new Set([...Object.values(CONFIG_SOURCES).map((s) => s.env), 'GMP_CONFIG']);
    const named = new Set([...README.matchAll(/\bGMP_[A-Z0-9_]+(?:\|[A-Z0-9_|]+)?/g)].flatMap(([v]) => {
      // GMP_CLIENT_SYNC_URL|USER|PASSWORD|TOKEN names four
      const [first, ...rest] = v.split('|');
      const stem = first.slice(0, first.lastIndexOf('_') + 1);
      return [first, ...rest.map((r) => stem + r)];
    }));
    expect([...named].filter((v) => !known.has(v))).toEqual([]);
  });
});
