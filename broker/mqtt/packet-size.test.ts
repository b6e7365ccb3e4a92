import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from './packet-size.js';

const MAX = 1000;

/** MQTT "remaining length" encoding (§2.2.3). */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
const packet = (bodyBytes: number): Buffer => Buffer.from([0x30, ...varint(bodyBytes), ...Buffer.alloc(bodyBytes, 7)]);

interface Case {
  name: string;
  input: Buffer[];
  /** undefined when every chunk passes, else a fragment of the reason. */
  want: string | undefined;
}

const cases: Case[] = [
  { name: 'one small packet', input: [packet(10)], want: undefined },
  { name: 'a packet exactly at the limit', input: [packet(MAX)], want: undefined },
  { name: 'zero-length packets (PINGREQ)', input: [Buffer.from([0xc0, 0x00, 0xc0, 0x00])], want: undefined },
  {
    name: 'several packets in one chunk',
    input: [Buffer.concat([packet(300), packet(0), packet(700)])],
    want: undefined,
  },
  { name: 'a packet split byte by byte', input: [...packet(400)].map((b) => Buffer.from([b])), want: undefined },
  {
    name: 'header split across chunks',
    input: [Buffer.from([0x30, 0x88]), Buffer.from([0x07]), Buffer.alloc(904)],
    want: undefined,
  },
  { name: 'a packet one byte over', input: [packet(MAX + 1)], want: `${MAX + 1} bytes` },
  {
    name: 'announced 256 MiB, no body sent yet',
    input: [Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])],
    want: '268435455 bytes',
  },
  { name: 'oversized after a good one', input: [packet(10), Buffer.from([0x30, ...varint(5000)])], want: '5000 bytes' },
  {
    name: 'remaining length of five bytes',
    input: [Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])],
    want: 'malformed',
  },
];

describe('PacketSizeGuard', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const guard = new PacketSizeGuard(MAX);
    const problems = input.map((chunk) => guard.feed(chunk)).filter((p) => p !== undefined);
    if (want === undefined) expect(problems).toEqual([]);
    else expect(problems[0]).toContain(want);
  });
});
