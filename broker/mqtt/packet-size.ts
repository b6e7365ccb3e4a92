import type { Duplex } from 'node:stream';

/**
 * Caps the size of every MQTT packet a client sends, before the parser buffers it.
 *
 * aedes 1 (mqtt-packet 9) has no packet size limit for MQTT 3.1.1: a client, even before it
 * authenticates, may announce a 256 MiB packet and the parser buffers all of it. This guard
 * follows the fixed headers (type byte, then the 1–4 byte "remaining length", §2.2.3) across
 * chunks without copying anything, and reports the first packet over the cap.
 */
export class PacketSizeGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Returns why the stream must be cut, or undefined while it is within bounds. */
  feed(chunk: Uint8Array): string | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'type';
      } else if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else {
        const problem = this.lengthByte(chunk[i++] ?? 0);
        if (problem) return problem;
      }
    }
    return undefined;
  }

  private lengthByte(byte: number): string | undefined {
    this.length += (byte & 0x7f) * this.multiplier;
    this.multiplier *= 128;
    this.lengthBytes++;
    if (byte & 0x80) {
      return this.lengthBytes >= 4 ? 'malformed remaining length' : undefined;
    }
    if (this.length > this.maxPacketBytes) {
      return `packet of ${this.length} bytes, the limit is ${this.maxPacketBytes}`;
    }
    this.remaining = this.length;
    this.state = this.remaining > 0 ? 'body' : 'type';
    return undefined;
  }
}

/**
 * Watches what aedes reads from `socket` and destroys the socket on the first oversized packet.
 * Attach after `broker.handle(socket)`: aedes reads in paused mode ('readable' + read()), and
 * while a 'readable' listener exists a 'data' listener only observes each read() without
 * switching the stream to flowing mode (Node stream docs, "Choose one API style").
 */
export function guardPacketSize(socket: Duplex, maxPacketBytes: number, onViolation: (reason: string) => void): void {
  const guard = new PacketSizeGuard(maxPacketBytes);
  const onData = (chunk: Buffer): void => {
    const problem = guard.feed(chunk);
    if (problem === undefined) return;
    socket.off('data', onData);
    onViolation(problem);
    socket.destroy();
  };
  socket.on('data', onData);
}
