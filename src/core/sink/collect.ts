import type { Readable } from 'node:stream';

export type CollectResult =
  | { kind: 'complete'; raw: Buffer }
  /** over the size limit: the rest was read and dropped */
  | { kind: 'oversize'; bytes: number }
  /** the client went away before the terminating dot */
  | { kind: 'aborted'; error: Error };

/**
 * Reads a DATA stream to its end. The stream is always consumed (smtp-server only answers after
 * 'end'); past `maxBytes` (0: no limit) chunks are dropped instead of buffered, so an oversized
 * message costs no memory. An 'error' listener is always attached: smtp-server destroys the stream
 * with an error when the client disconnects mid-DATA.
 */
export function collectData(stream: Readable & { sizeExceeded?: boolean }, maxBytes: number): Promise<CollectResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = false;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (over || stream.sizeExceeded || (maxBytes > 0 && bytes > maxBytes)) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => {
      if (over || stream.sizeExceeded) return resolve({ kind: 'oversize', bytes });
      // a message that came in one chunk is kept as it is: no copy on the capture path
      resolve({ kind: 'complete', raw: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes) });
    });
    stream.once('error', (error: Error) => {
      chunks.length = 0;
      resolve({ kind: 'aborted', error });
    });
  });
}
