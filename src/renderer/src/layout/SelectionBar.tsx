import type { ReactNode } from 'react';
import { countLabel } from '../lib/selection.js';
import '../styles/triage.css';

/** Shown while rows are picked (shift/ctrl click, x): how many, what can be done to them all, and a way out. */
export function SelectionBar({ count, noun = 'message', onClear, children }: { count: number; noun?: string; onClear: () => void; children: ReactNode }) {
  return (
    <div className="selection-bar" role="toolbar" aria-label="Picked rows">
      <strong aria-live="polite">{countLabel(count, noun)} selected</strong>
      {children}
      <button type="button" className="btn btn-small btn-ghost" onClick={onClear} title="Clear the selection (Esc)">
        Clear
      </button>
    </div>
  );
}
