/** "Deleted … — Undo": the few seconds in which a single delete can be taken back. */
export function UndoToast({ text, onUndo }: { text: string; onUndo: () => void }) {
  return (
    <div className="undo-toast" role="status" aria-live="polite">
      <span>{text}</span>
      <button type="button" className="btn btn-small" onClick={onUndo}>
        Undo
      </button>
    </div>
  );
}
