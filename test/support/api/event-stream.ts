import http from 'node:http';

/** One named SSE frame as received (its data as sent: JSON text). */
export interface SseFrame {
  event: string;
  data: string;
}

export interface EventStreamReader {
  /** every frame so far, in order */
  frames: SseFrame[];
  /** comment lines (the keep-alives), as received */
  comments: string[];
  /** the answer's status: 0 until it came */
  status(): number;
  contentType(): string;
  /** the parsed data of the frames of one event, in order */
  of(event: string): unknown[];
  close(): void;
}

/** A real HTTP client on an event stream, collecting its frames until `close()`. */
export function readEventStream(url: string, headers: Record<string, string> = {}): EventStreamReader {
  const frames: SseFrame[] = [];
  const comments: string[] = [];
  let status = 0;
  let contentType = '';
  let buffer = '';
  const req = http.get(url, { headers }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type'] ?? '');
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let idx: number;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length) frames.push({ event, data: data.join('\n') });
      }
    });
  });
  req.on('error', () => {});
  return {
    frames,
    comments,
    status: () => status,
    contentType: () => contentType,
    of: (event) => frames.filter((f) => f.event === event).map((f) => JSON.parse(f.data) as unknown),
    close: () => req.destroy(),
  };
}
