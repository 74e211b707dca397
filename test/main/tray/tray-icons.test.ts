import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trayIconPath } from '../../../src/main/tray/tray-icons.js';
import { FakeImage } from '../../support/main/electron-fakes.js';
import { RESOURCES } from '../../support/common/paths.js';

describe('tray icons', () => {
  it('macOS uses template images for every state', () => {
    for (const state of ['sandbox', 'real', 'paused', 'failing'] as const) {
      const p = trayIconPath(RESOURCES, state, 'darwin');
      expect(path.basename(p)).toBe(`tray-${state}Template.png`);
      expect(new FakeImage(p).isEmpty()).toBe(false);
      expect(new FakeImage(p.replace('.png', '@2x.png')).isEmpty()).toBe(false);
    }
  });
});
