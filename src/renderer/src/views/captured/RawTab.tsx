import { useEffect, useState } from 'react';
import { ErrorNote } from '../../components/ErrorNote.js';
import { errorMessage } from '../../lib/errors.js';

/** Shown in full up to this size; beyond it the source is cut (the .eml download has it all). */
const MAX_SHOWN = 512 * 1024;

export function RawTab({ load }: { load: () => Promise<string> }) {
  const [raw, setRaw] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setRaw(null);
    load().then(
      (t) => live && setRaw(t),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (error) return <ErrorNote error={error} />;
  if (raw === null) return <p className="muted pad">Loading source…</p>;
  return (
    <>
      {raw.length > MAX_SHOWN ? (
        <p className="muted pad">Showing the first {Math.round(MAX_SHOWN / 1024)} KB; download the .eml for the whole source.</p>
      ) : null}
      <pre className="raw-source" tabIndex={0} aria-label="Raw message source">
        {raw.length > MAX_SHOWN ? raw.slice(0, MAX_SHOWN) : raw}
      </pre>
    </>
  );
}
