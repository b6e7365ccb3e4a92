import { createSocket, type Socket } from 'node:dgram';
import { collectRows, type Recording } from './recording.js';
import { timedriftParams } from '../../../modules/timedrift/params.js';
import { runTimedrift, type TimedriftRow } from '../../../modules/timedrift/run.js';
import { PACKET_BYTES, writeTimestamp } from '../../../modules/timedrift/sntp.js';

/**
 * Test support: a fake NTP server on 127.0.0.1 (a real UDP socket speaking the wire format) that
 * can lie about the time or misbehave, and a run of the module against it.
 */

export type FakeBehaviour =
  /** Answers correctly, `skewMs` away from real time. */
  | 'ok'
  /** Stratum 0 with code RATE: "stop asking". */
  | 'kiss-of-death'
  /** Leap indicator 3: the server's own clock is not synchronized. */
  | 'unsynchronized'
  /** Echoes the wrong origin timestamp (a blind spoofer, or a stale reply). */
  | 'wrong-origin'
  /** A forged reply first, then the real one. */
  | 'forged-then-real'
  /** 20 bytes only. */
  | 'short'
  /** Mode 3 (client) instead of 4 (server). */
  | 'client-mode'
  | 'silent';

export interface FakeNtp {
  port: number;
  requests: number;
  close(): Promise<void>;
}

function reply(request: Buffer, behaviour: FakeBehaviour, skewMs: number): Buffer {
  const out = Buffer.alloc(PACKET_BYTES);
  const leap = behaviour === 'unsynchronized' ? 3 : 0;
  const mode = behaviour === 'client-mode' ? 3 : 4;
  out[0] = (leap << 6) | (4 << 3) | mode;
  out[1] = behaviour === 'kiss-of-death' ? 0 : 2;
  out[2] = 6; // poll
  out[3] = 0xec; // precision
  out.write(behaviour === 'kiss-of-death' ? 'RATE' : 'GPS\0', 12, 'latin1');
  request.copy(out, 24, 40, 48);
  if (behaviour === 'wrong-origin') out[31] = (out[31] ?? 0) ^ 0xff;
  const now = Date.now() + skewMs;
  writeTimestamp(out, 16, now - 1000);
  writeTimestamp(out, 32, now);
  writeTimestamp(out, 40, now);
  return behaviour === 'short' ? out.subarray(0, 20) : out;
}

export async function startFakeNtp(behaviour: FakeBehaviour, skewMs = 0): Promise<FakeNtp> {
  const socket: Socket = createSocket('udp4');
  const fake = { port: 0, requests: 0, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
  socket.on('message', (request, peer) => {
    fake.requests++;
    if (behaviour === 'silent' || request.length < PACKET_BYTES) return;
    if (behaviour === 'forged-then-real')
      socket.send(reply(request, 'wrong-origin', skewMs + 3_600_000), peer.port, peer.address);
    const real = behaviour === 'forged-then-real' ? 'ok' : behaviour;
    socket.send(reply(request, real, skewMs), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  fake.port = socket.address().port;
  return fake;
}

/** Parses `params` as the agent does and runs the module to the end. */
export function runTimedriftOnce(params: unknown, rec: Recording): Promise<TimedriftRow[]> {
  return collectRows(runTimedrift, timedriftParams, params, rec);
}
