import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';

/**
 * An SNTPv4 client (RFC 4330) over one connected UDP socket. The answer comes from the network,
 * so it is checked before it is believed: it must come back from the server we asked (the
 * connected socket drops anything else), be a server-mode packet, echo our random transmit
 * nonce as its origin timestamp (a blind spoofer cannot), and come from a synchronized,
 * non-kiss-o'-death server.
 */

export interface NtpAnswer {
  address: string;
  /** Server time minus local time: positive when the local clock is behind. */
  offsetMs: number;
  /** Round trip minus the server's processing time. */
  delayMs: number;
  stratum: number;
}

export class NtpError extends Error {
  constructor(
    message: string,
    readonly address?: string,
  ) {
    super(message);
  }
}

export const PACKET_BYTES = 48;
/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_32 = 0x1_0000_0000;

/** NTP timestamp at `at` → Unix milliseconds. RFC 4330 §3: MSB clear means era 1 (from 2036). */
export function readTimestamp(buf: Buffer, at: number): number {
  const seconds = buf.readUInt32BE(at);
  const fraction = buf.readUInt32BE(at + 4);
  const era = (seconds & 0x8000_0000) === 0 ? TWO_32 : 0;
  return (seconds + era - NTP_UNIX_OFFSET_S) * 1000 + (fraction / TWO_32) * 1000;
}

export function writeTimestamp(buf: Buffer, at: number, unixMs: number): void {
  const total = unixMs / 1000 + NTP_UNIX_OFFSET_S;
  const seconds = Math.floor(total);
  buf.writeUInt32BE(seconds % TWO_32, at);
  buf.writeUInt32BE(Math.min(TWO_32 - 1, Math.round((total - seconds) * TWO_32)), at + 4);
}

/** Why an answer to our request cannot be used, or undefined when it can. */
function replyProblem(reply: Buffer): string | undefined {
  const first = reply[0] ?? 0;
  const leap = first >> 6;
  const mode = first & 7;
  const stratum = reply[1] ?? 0;
  if (mode !== 4) return `reply is not from a server (mode ${mode})`;
  if (stratum === 0)
    return `kiss-o'-death ${reply.toString('latin1', 12, 16).replace(/[^\x20-\x7e]/g, '?')}: the server refuses to answer`;
  if (leap === 3) return 'server clock is not synchronized (leap indicator 3)';
  if (stratum > 15) return `server is not synchronized (stratum ${stratum})`;
  if (reply.readUInt32BE(40) === 0 && reply.readUInt32BE(44) === 0) return 'reply carries no transmit time';
  return undefined;
}

export interface QueryOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** Local time in Unix milliseconds, sub-millisecond precision. */
  clock: () => number;
  signal: AbortSignal;
}

async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
  try {
    const { address, family } = await lookup(host, { verbatim: true });
    return { address, family: family === 6 ? 6 : 4 };
  } catch (err) {
    throw new NtpError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export async function queryNtp(opts: QueryOptions): Promise<NtpAnswer> {
  const { address, family } = await resolve(opts.host);
  opts.signal.throwIfAborted();
  const request = Buffer.alloc(PACKET_BYTES);
  request[0] = (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
  const nonce = randomBytes(8);
  nonce.copy(request, 40);
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  let t1 = 0;
  return new Promise<NtpAnswer>((resolvePromise, reject) => {
    const finish = (result: NtpAnswer | Error): void => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolvePromise(result);
    };
    const onAbort = (): void => finish(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    const timer = setTimeout(
      () => finish(new NtpError(`no answer within ${opts.timeoutMs} ms`, address)),
      opts.timeoutMs,
    );
    opts.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        new NtpError(
          err.code === 'ECONNREFUSED' ? 'refused (nothing listens on that port)' : (err.code ?? err.message),
          address,
        ),
      ),
    );
    socket.on('message', (reply) => {
      const t4 = opts.clock();
      // Not an answer to this request (late, duplicated or forged): keep waiting for ours.
      if (reply.length < PACKET_BYTES || !reply.subarray(24, 32).equals(nonce)) return;
      const problem = replyProblem(reply);
      if (problem !== undefined) return finish(new NtpError(problem, address));
      const t2 = readTimestamp(reply, 32);
      const t3 = readTimestamp(reply, 40);
      const round = (n: number): number => Math.round(n * 1000) / 1000;
      finish({
        address,
        offsetMs: round((t2 - t1 + (t3 - t4)) / 2),
        delayMs: round(Math.max(0, t4 - t1 - (t3 - t2))),
        stratum: reply[1] ?? 0,
      });
    });
    socket.connect(opts.port, address, () => {
      t1 = opts.clock();
      socket.send(request);
    });
  });
}
