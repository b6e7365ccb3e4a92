import { write } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';

/** Where one line sits in a journal file. */
export interface LineSpan {
  offset: number;
  bytes: number;
}

/** Compaction copies lines in writes of about this size. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * The lines of a journal file's bytes, each as its span without the newline; a last line with
 * no newline (a kill during append, the only expected damage) comes as `torn`.
 */
export function* splitLines(data: Buffer): Generator<{ line: Buffer; span: LineSpan } | 'torn'> {
  for (let offset = 0; offset < data.length;) {
    const end = data.indexOf(0x0a, offset);
    if (end === -1) {
      yield 'torn';
      return;
    }
    yield { line: data.subarray(offset, end), span: { offset, bytes: end + 1 - offset } };
    offset = end + 1;
  }
}

/** One line read back from where it sits, newline included. */
export async function readLine(handle: FileHandle, span: LineSpan): Promise<Buffer> {
  const line = Buffer.allocUnsafe(span.bytes);
  for (let got = 0; got < span.bytes;) {
    const { bytesRead } = await handle.read(line, got, span.bytes - got, span.offset + got);
    if (bytesRead === 0) throw new Error(`the file ends before byte ${span.offset + span.bytes}`);
    got += bytesRead;
  }
  return line;
}

/**
 * Rewrites `path` with only these lines, in order, through a temp file and a rename: a kill
 * mid-way leaves the old file whole. Returns where each line now starts.
 */
export async function rewriteFile(path: string, spans: readonly LineSpan[]): Promise<number[]> {
  const tmp = `${path}.${process.pid}.tmp`;
  const out = await open(tmp, 'w', 0o600);
  let offsets: number[] | undefined;
  try {
    offsets = await copyLines(path, spans, out);
  } finally {
    await out.close();
    if (offsets === undefined) await rm(tmp, { force: true });
  }
  await rename(tmp, path);
  return offsets;
}

/** Copies each line of `path`, in order, into `out`; returns where each one now starts. */
export async function copyLines(path: string, spans: readonly LineSpan[], out: FileHandle): Promise<number[]> {
  const offsets: number[] = [];
  if (spans.length === 0) return offsets;
  const input = await open(path, 'r');
  try {
    let position = 0;
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    for (const span of spans) {
      chunk.push(await readLine(input, span));
      offsets.push(position);
      position += span.bytes;
      chunkBytes += span.bytes;
      if (chunkBytes >= COPY_CHUNK_BYTES) {
        await writeAll(out, Buffer.concat(chunk));
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (chunk.length > 0) await writeAll(out, Buffer.concat(chunk));
  } finally {
    await input.close();
  }
  return offsets;
}

/**
 * Through the callback fs.write on the handle's descriptor: FileHandle.write costs about twice
 * the CPU (~70 µs against ~35 µs a line here), and the journals write a few lines per command
 * (doc/performance.md, Agent CPU). Still off the event loop, in libuv's thread pool.
 */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length;) done += await writeSome(handle.fd, data, done);
}

function writeSome(fd: number, data: Buffer, from: number): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, data, from, data.length - from, null, (err, written) => (err ? reject(err) : resolve(written))),
  );
}
