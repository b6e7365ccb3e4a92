/**
 * The SSH wire encoding (RFC 4251 §5) of key blobs and OpenSSH private key files: big-endian
 * uint32 lengths before strings and mpints. Input is file content from the endpoint, so every
 * read is bounds-checked and fails with a WireFormatError instead of reading past the end.
 */
export class WireFormatError extends Error {}

export class WireReader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  /** Bytes read so far. */
  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  uint32(): number {
    if (this.remaining < 4) throw new WireFormatError('truncated: expected a uint32');
    const value = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  byte(): number {
    if (this.remaining < 1) throw new WireFormatError('truncated: expected a byte');
    return this.buf[this.offset++] as number;
  }

  /** A length-prefixed string (also how mpints travel). */
  bytes(): Buffer {
    const length = this.uint32();
    if (length > this.remaining)
      throw new WireFormatError(`truncated: a ${length}-byte string with ${this.remaining} bytes left`);
    const value = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** A string that must be printable ASCII (key types, cipher and curve names). */
  text(): string {
    const value = this.bytes();
    if (value.length > 256 || !/^[\x21-\x7e]*$/.test(value.toString('latin1')))
      throw new WireFormatError('expected a short printable name');
    return value.toString('latin1');
  }

  /** Raw bytes of a fixed length (magic strings). */
  fixed(length: number): Buffer {
    if (length > this.remaining) throw new WireFormatError(`truncated: expected ${length} bytes`);
    const value = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

/** Significant bits of an unsigned big-endian integer (an mpint's magnitude). */
export function bitLength(magnitude: Buffer): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i] as number));
}

/** Encodes parts as SSH strings; `{ mpint }` parts get the sign-byte rules of RFC 4251. */
export function encodeBlob(parts: readonly (string | Buffer | { mpint: Buffer })[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let value: Buffer;
    if (typeof part === 'string') value = Buffer.from(part, 'latin1');
    else if (Buffer.isBuffer(part)) value = part;
    else value = mpint(part.mpint);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    chunks.push(length, value);
  }
  return Buffer.concat(chunks);
}

function mpint(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  const trimmed = magnitude.subarray(i);
  // A set high bit would read as negative: prefix a zero byte.
  return trimmed.length > 0 && ((trimmed[0] as number) & 0x80) !== 0
    ? Buffer.concat([Buffer.from([0]), trimmed])
    : trimmed;
}
