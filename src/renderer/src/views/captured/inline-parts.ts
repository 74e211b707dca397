import { useEffect, useState } from 'react';
import type { CapturedAttachment } from '../../api/types.js';

/** A Content-ID as `cid:` references name it: without angle brackets. */
export function bareCid(cid: string): string {
  return cid.replace(/^<|>$/g, '').trim();
}

/** The parts with a Content-ID the HTML mentions: only these are fetched for the preview. */
export function referencedParts(html: string, attachments: readonly CapturedAttachment[]): CapturedAttachment[] {
  const lower = html.toLowerCase();
  return attachments.filter((a) => a.cid && bareCid(a.cid) && lower.includes(bareCid(a.cid).toLowerCase()));
}

export function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the part'));
    reader.readAsDataURL(blob);
  });
}

/**
 * The inline parts the HTML refers to, as data: URLs by Content-ID; null while they load. `load` fetches a
 * part with the token in a header. data:, not blob:, because the sandboxed frame's opaque origin cannot
 * resolve the page's blob: URLs. A part that fails to load stays a bare `cid:` reference (a broken image).
 */
export function useInlineParts(
  html: string,
  attachments: readonly CapturedAttachment[],
  load: (index: number) => Promise<Blob>,
): ReadonlyMap<string, string> | null {
  const [parts, setParts] = useState<ReadonlyMap<string, string> | null>(null);
  useEffect(() => {
    let live = true;
    setParts(null);
    const wanted = referencedParts(html, attachments);
    void Promise.all(
      wanted.map((a) =>
        load(a.index).then(dataUrlOf).then(
          (url): [string, string] | null => [bareCid(a.cid ?? ''), url],
          () => null,
        ),
      ),
    ).then((loaded) => {
      if (live) setParts(new Map(loaded.filter((e): e is [string, string] => e !== null)));
    });
    return () => {
      live = false;
    };
  }, [html, attachments, load]);
  return parts;
}
