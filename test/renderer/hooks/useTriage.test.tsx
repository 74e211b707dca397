import { fireEvent, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useTriage } from '../../../src/renderer/src/hooks/useTriage.js';
import { useComponentDom } from '../../support/renderer/render-with-relay.js';

useComponentDom();

const items = [{ id: 1 }, { id: 2 }, { id: 3 }];
const keyOf = (it: { id: number }) => it.id;

/** The route (openKey) lags behind open() as a hash change does: only `rerender` brings it up to date. */
function setup(openKey: number | null) {
  const opened: (number | null)[] = [];
  const list = { current: null };
  const hook = renderHook((p: { openKey: number | null }) =>
    useTriage({ items, keyOf, openKey: p.openKey, open: (k) => opened.push(k), close: () => opened.push(null), list }),
  { initialProps: { openKey } });
  const press = (key: string) => fireEvent.keyDown(window, { key });
  return { opened, hook, press };
}

describe('useTriage keys before the route catches up', () => {
  it('walks on from the mail it asked to open, not from the one the route still shows', () => {
    const { opened, press } = setup(1);
    press('j');
    press('j');
    press('k');
    expect(opened).toEqual([2, 3, 2]);
  });

  it('follows the route again when it changes from elsewhere (a click on a row)', () => {
    const { opened, hook, press } = setup(1);
    press('j');
    hook.rerender({ openKey: 3 });
    press('k');
    expect(opened).toEqual([2, 2]);
    hook.rerender({ openKey: null });
    press('k');
    expect(opened).toEqual([2, 2]);
  });
});
