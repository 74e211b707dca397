import { describe, expect, it } from 'vitest';
import { checkHtml, htmlCheckSummary, type ClientFindings } from '../../../src/core/services/html-check.js';

const issue = (title: string, support: 'none' | 'partial', notes: string[] = []) => ({ title, support, notes });

describe('HTML check summary', () => {
  it('groups issues by client family and feature, unsupported first, and scores partial support as half', () => {
    const findings: ClientFindings[] = [
      { client: 'outlook.windows', errors: [issue('display:grid', 'none'), issue('display:grid', 'none')], warnings: [issue('display', 'partial', ['Only display:none'])] },
      { client: 'outlook.macos', errors: [], warnings: [issue('display', 'partial', ['Only display:none', 'Buggy'])] },
      { client: 'gmail.desktop-webmail', errors: [], warnings: [] },
      { client: 'apple-mail.ios', errors: [], warnings: [] },
      { client: 'gmx.ios', noData: true },
    ];
    expect(htmlCheckSummary(findings, 'src', { outlook: 'Outlook' })).toEqual({
      // (0 + 0.5 + 1 + 1) / 4 clients with data
      score: 63,
      clients_checked: 4,
      clients_without_data: ['gmx.ios'],
      families: [
        {
          family: 'outlook',
          name: 'Outlook',
          clients: ['outlook.windows', 'outlook.macos'],
          issues: [
            { feature: 'display:grid', support: 'none', clients: ['outlook.windows'], notes: [], occurrences: 2 },
            { feature: 'display', support: 'partial', clients: ['outlook.windows', 'outlook.macos'], notes: ['Only display:none', 'Buggy'], occurrences: 1 },
          ],
        },
      ],
      source: 'src',
    });
    expect(htmlCheckSummary([], 'src').score).toBe(100);
  });

  it('runs caniemail on the HTML: flexbox in a <style> is flagged for some client', async () => {
    const answer = await checkHtml('<html><head><style>.f{display:flex}</style></head><body><div class="f">x</div></body></html>');
    const features = answer.families.flatMap((f) => f.issues.map((i) => i.feature));
    expect(features).toContain('display:flex');
    expect(answer.score).toBeLessThan(100);
  });
});

describe('caniemail and ical.js are loaded on first use', () => {
  it('no source file imports them statically (the start path never loads them)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { PROJECT_ROOT } = await import('../../support/common/paths.js');
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
    const statics = files(path.join(PROJECT_ROOT, 'src')).filter((f) => /^import (?!type )[^;]*from '(caniemail|ical\.js)'/m.test(fs.readFileSync(f, 'utf8')));
    expect(statics).toEqual([]);
  });
});
