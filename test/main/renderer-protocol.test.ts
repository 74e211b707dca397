import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRendererFile } from '../../src/main/renderer-protocol.js';

describe('app://renderer file resolution', () => {
  const root = path.resolve('/srv/out/renderer');

  it('maps URLs into the renderer folder, routes to index.html, refuses other hosts', () => {
    expect(resolveRendererFile(root, 'app://renderer/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://renderer/')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://renderer/assets/index-abc.js')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveRendererFile(root, 'app://renderer/captured/42')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveRendererFile(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveRendererFile(root, 'app://renderer/%E0%A4%A')).toBeNull();
    expect(resolveRendererFile(root, 'app://renderer/a%00.js')).toBeNull();
  });

  it('never leaves the folder', () => {
    for (const url of ['app://renderer/../../etc/passwd', 'app://renderer/%2e%2e/%2e%2e/etc/passwd.txt', 'app://renderer/a/..%2f..%2f..%2fx.js']) {
      const file = resolveRendererFile(root, url);
      expect(file === null || file.startsWith(root + path.sep)).toBe(true);
    }
  });
});
