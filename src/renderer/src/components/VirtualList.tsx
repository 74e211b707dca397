import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode, type Ref } from 'react';
import { pickModeOf, type PickMode } from '../lib/selection.js';

export interface RowContext {
  active: boolean;
  selected: boolean;
  rowId: string;
}

/** What the view's global shortcuts do to the list (j/k without focus in it). */
export interface VirtualListHandle<T> {
  /** moves the highlight by `delta` rows (from the first row when none is highlighted) */
  move(delta: number): void;
  /** the highlighted item, if any */
  active(): T | null;
}

export interface VirtualListProps<T, K extends string | number> {
  items: readonly T[];
  keyOf: (item: T) => K;
  rowHeight: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  selectedKey?: K | null;
  onOpen: (item: T) => void;
  renderRow: (item: T, ctx: RowContext) => ReactNode;
  label: string;
  header?: ReactNode;
  /** multi-selection: the picked keys, and what a shift/ctrl click (or x on the highlighted row) picks */
  pickedKeys?: ReadonlySet<K>;
  onPick?: (item: T, mode: PickMode) => void;
  handleRef?: Ref<VirtualListHandle<T>>;
  /** while an item is open, moving the highlight opens the item it lands on (triage: j/k walk the mail) */
  openOnMove?: boolean;
}

/**
 * A keyboard-driven listbox that renders only the visible rows (fixed row height, so 100,000 rows cost
 * the same as 50). Loads the next page near the end, and keeps the rows in view still when new rows
 * are inserted above them.
 */
export function VirtualList<T, K extends string | number>(props: VirtualListProps<T, K>) {
  const { items, keyOf, rowHeight, hasMore, loading, onLoadMore, selectedKey, onOpen, renderRow, label, header, pickedKeys, onPick, handleRef, openOnMove } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const idBase = useId();
  const [activeIndex, setActiveIndex] = useState(-1);
  const count = items.length + (hasMore ? 1 : 0);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    initialRect: { width: 800, height: 600 },
    getItemKey: (i) => (i < items.length ? keyOf(items[i]) : '__more__'),
  });
  const virtualItems = virtualizer.getVirtualItems();

  // load the next page when the loader row comes into view
  const last = virtualItems[virtualItems.length - 1];
  useEffect(() => {
    if (last && hasMore && !loading && last.index >= items.length - 20) onLoadMore();
  }, [last, hasMore, loading, items.length, onLoadMore]);

  // scroll anchoring: when rows are inserted above the first visible row, keep that row where it was
  const anchor = useRef<{ key: K; index: number } | null>(null);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const a = anchor.current;
    if (el && a && el.scrollTop > 0) {
      let newIndex = -1;
      const probeEnd = Math.min(items.length, a.index + 5000);
      for (let i = Math.max(0, a.index - 50); i < probeEnd; i++) {
        if (keyOf(items[i]) === a.key) {
          newIndex = i;
          break;
        }
      }
      if (newIndex > a.index) el.scrollTop += (newIndex - a.index) * rowHeight;
    }
    const firstIndex = el ? Math.floor(el.scrollTop / rowHeight) : 0;
    anchor.current = items[firstIndex] !== undefined ? { key: keyOf(items[firstIndex]), index: firstIndex } : null;
  }, [items, keyOf, rowHeight]);

  // follow the selection made elsewhere (URL, click)
  useEffect(() => {
    if (selectedKey === undefined || selectedKey === null) return;
    const i = items.findIndex((it) => keyOf(it) === selectedKey);
    if (i >= 0) setActiveIndex(i);
  }, [selectedKey, items, keyOf]);

  const move = useCallback(
    (to: number) => {
      if (items.length === 0) return;
      const i = Math.max(0, Math.min(items.length - 1, to));
      setActiveIndex(i);
      virtualizer.scrollToIndex(i, { align: 'auto' });
      const item = items[i];
      if (openOnMove && selectedKey !== undefined && selectedKey !== null && item !== undefined && keyOf(item) !== selectedKey) onOpen(item);
    },
    [items, virtualizer, openOnMove, selectedKey, keyOf, onOpen],
  );

  useImperativeHandle(
    handleRef,
    () => ({
      move: (delta: number) => move(activeIndex < 0 ? (delta > 0 ? 0 : items.length - 1) : activeIndex + delta),
      active: () => (activeIndex >= 0 ? (items[activeIndex] ?? null) : null),
    }),
    [move, activeIndex, items],
  );

  // a shift or ctrl click picks rows instead of opening one: caught before the row's own click
  const onRowClick = (e: MouseEvent, item: T, index: number) => {
    const mode = onPick ? pickModeOf(e) : null;
    if (!mode || !onPick) return;
    e.preventDefault();
    e.stopPropagation();
    setActiveIndex(index);
    onPick(item, mode);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowHeight) - 1);
    const current = activeIndex < 0 ? -1 : activeIndex;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        move(current + 1);
        break;
      case 'ArrowUp':
      case 'k':
        move(current - 1);
        break;
      case 'PageDown':
        move(current + page);
        break;
      case 'PageUp':
        move(current - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(items.length - 1);
        break;
      case 'Enter':
      case ' ':
        if (activeIndex >= 0 && items[activeIndex]) onOpen(items[activeIndex]);
        break;
      case 'x':
        if (!onPick || activeIndex < 0 || !items[activeIndex]) return;
        onPick(items[activeIndex], 'toggle');
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const rowId = (i: number) => `${idBase}-row-${i}`;
  return (
    <div className="vlist">
      {header}
      <div
        ref={scrollRef}
        className="vlist-scroll"
        role="listbox"
        aria-label={label}
        aria-multiselectable={onPick ? true : undefined}
        tabIndex={0}
        aria-activedescendant={activeIndex >= 0 && activeIndex < items.length ? rowId(activeIndex) : undefined}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualItems.map((v) => {
            const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${v.start}px)` };
            if (v.index >= items.length) {
              return (
                <div key={v.key} style={style} className="row row-loading muted" role="presentation">
                  Loading more…
                </div>
              );
            }
            const item = items[v.index];
            const picked = pickedKeys?.has(keyOf(item)) ?? false;
            return (
              <div key={v.key} style={style} role="presentation" className={picked ? 'vrow picked' : 'vrow'} onClickCapture={(e) => onRowClick(e, item, v.index)}>
                {renderRow(item, { active: v.index === activeIndex, selected: keyOf(item) === selectedKey, rowId: rowId(v.index) })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
