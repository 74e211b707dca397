import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/renderer/src/api/sse-parser.js';

function parse(chunks: string[]) {
  const events: [string, string][] = [];
  const retries: number[] = [];
  const parser = new SseParser((type, data) => events.push([type, data]), (ms) => retries.push(ms));
  for (const c of chunks) parser.push(c);
  return { events, retries };
}

describe('SseParser', () => {
  it('reads named events, joins data lines, skips comments and ids, takes retry', () => {
    const { events, retries } = parse([
      'retry: 2000\n\n: ping\n\nevent: stats\ndata: {"a":1}\n\n',
      'id: 7\nevent: messages\ndata: [1,\ndata: 2]\n\ndata:plain\n\n',
    ]);
    expect(events).toEqual([
      ['stats', '{"a":1}'],
      ['messages', '[1,\n2]'],
      ['message', 'plain'],
    ]);
    expect(retries).toEqual([2000]);
  });

  it('takes lines split anywhere, CRLF, lone CR and LF alike', () => {
    const wire = 'event: stats\r\ndata: {"x":1}\r\n\r\nevent: report\rdata: r\r\revent: settings\ndata: s\n\n';
    for (let cut = 1; cut < wire.length; cut++) {
      expect(parse([wire.slice(0, cut), wire.slice(cut)]).events, `cut at ${cut}`).toEqual([
        ['stats', '{"x":1}'],
        ['report', 'r'],
        ['settings', 's'],
      ]);
    }
    expect(parse([...wire]).events).toHaveLength(3);
  });

  it('sends nothing for a block without data, nor for an unfinished one; an empty data line is an event', () => {
    expect(parse(['event: stats\n\nevent: report\ndata: half']).events).toEqual([]);
    expect(parse(['data:\n\n', 'retry: soon\n\n']).events).toEqual([['message', '']]);
    expect(parse(['retry: soon\n\n']).retries).toEqual([]);
  });
});
