export function StateBadge({ state, sandbox }: { state: string; sandbox?: boolean }) {
  return (
    <span className={`badge state-${state}`} title={sandbox ? `${state} (sandbox)` : state}>
      {state}
      {sandbox && state !== 'queued' ? <span className="badge-sub"> · sandbox</span> : null}
    </span>
  );
}
