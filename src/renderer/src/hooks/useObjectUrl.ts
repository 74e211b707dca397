import { useEffect, useState } from 'react';

/**
 * A blob: URL for what `load` fetches (with the token in a header, so no URL carries it); null while it
 * loads or when it failed. The URL is revoked when `load` changes or the component goes away.
 */
export function useObjectUrl(load: () => Promise<Blob>): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    setUrl(null);
    load().then(
      (blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      },
      () => {},
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [load]);
  return url;
}
