/**
 * The text/event-stream wire format (WHATWG HTML, "event stream interpretation"), read incrementally:
 * fields `event`, `data` and `retry`; comments and `id` are skipped (the relay sends no ids).
 */
export class SseParser {
  private buffer = '';
  private afterCR = false;
  private type = '';
  private data: string[] = [];

  constructor(
    private readonly onEvent: (type: string, data: string) => void,
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  /** Feeds decoded text; lines may be split anywhere, even between the CR and LF of one line break. */
  push(chunk: string): void {
    const text = this.afterCR && chunk.startsWith('\n') ? chunk.slice(1) : chunk;
    if (chunk) this.afterCR = chunk.endsWith('\r');
    const lines = (this.buffer + text).split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value));
  }

  private dispatch(): void {
    const { type, data } = this;
    this.type = '';
    this.data = [];
    if (data.length > 0) this.onEvent(type || 'message', data.join('\n'));
  }
}
