import type * as NodeCrypto from 'node:crypto';
import type { Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as NodeZlib from 'node:zlib';
import { ContentScanner, LineFramer } from './content.js';
import type { Pacer } from './pacer.js';
import type { HashAlgorithm } from './param-values.js';
import type { SearchPlan } from './plan.js';

// node:crypto and node:zlib load on first use: a hunt by name or content never hashes nor
// gunzips, and loading both cost every start ~10 ms of CPU (doc/performance.md, "Start-up,
// session 6"). Synchronous, as the hashing and reading code that calls them.
const load = createRequire(import.meta.url);
const nodeCrypto = (): typeof NodeCrypto => load('node:crypto') as typeof NodeCrypto;
const nodeZlib = (): typeof NodeZlib => load('node:zlib') as typeof NodeZlib;

/**
 * Reads a file once for every search that needs its bytes: all requested digests and all
 * content scanners are fed from the same 1 MiB reads. Content-only reads stop as soon as every
 * scanner is settled (MIG stops at the first matching line).
 */

export const CHUNK_BYTES = 1024 * 1024;
/**
 * A content-only read starts with this much and doubles up to CHUNK_BYTES: a match near the
 * top of a file (a frequent pattern, a header) settles it after one small read, as grep -l
 * stops at the first match, instead of after decoding a whole MiB. Hashes want every byte, so
 * a pass that hashes reads CHUNK_BYTES from the start.
 */
export const FIRST_CONTENT_READ_BYTES = 64 * 1024;

export interface ReadStats {
  bytesRead: number;
  bytesHashed: number;
}

export interface SearchBytes {
  search: SearchPlan;
  /** Undefined when the search has no content checks. */
  scanner: ContentScanner | undefined;
  digests: Map<HashAlgorithm, string>;
}

class Pass {
  /** Every digest wanted; the streaming hashes are made only for a file longer than one read. */
  private readonly algorithms: readonly HashAlgorithm[];
  private readonly hashes = new Map<HashAlgorithm, Hash>();
  private readonly digests = new Map<HashAlgorithm, string>();
  private readonly framer: LineFramer;

  constructor(
    readonly targets: readonly SearchBytes[],
    private readonly stats: ReadStats,
  ) {
    this.algorithms = [...new Set(targets.flatMap((t) => [...t.search.algorithms]))];
    this.framer = new LineFramer(targets.flatMap((t) => (t.scanner === undefined ? [] : [t.scanner])));
  }

  get isHashing(): boolean {
    return this.algorithms.length > 0;
  }

  get isDone(): boolean {
    return !this.isHashing && this.framer.isSettled;
  }

  /** `isWhole`: the chunk is the whole file (a small file's one read). */
  feed(chunk: Buffer, isWhole = false): void {
    if (this.isHashing) {
      // One-shot digests of a whole small file skip a Hash object per algorithm (measured on
      // 20,000 small files: the objects and their GC were ~15 % of the run).
      if (isWhole)
        for (const algorithm of this.algorithms)
          this.digests.set(algorithm, nodeCrypto().hash(algorithm, chunk, 'hex'));
      else for (const algorithm of this.algorithms) this.streaming(algorithm).update(chunk);
      this.stats.bytesHashed += chunk.length;
    }
    this.framer.push(chunk);
  }

  end(): void {
    this.framer.end();
    for (const algorithm of this.algorithms)
      if (!this.digests.has(algorithm)) this.digests.set(algorithm, this.streaming(algorithm).digest('hex'));
    for (const t of this.targets)
      for (const algorithm of t.search.algorithms) t.digests.set(algorithm, this.digests.get(algorithm) ?? '');
  }

  private streaming(algorithm: HashAlgorithm): Hash {
    let hash = this.hashes.get(algorithm);
    if (hash === undefined) this.hashes.set(algorithm, (hash = nodeCrypto().createHash(algorithm)));
    return hash;
  }
}

/** Shared by every plain read of a run: the passes never overlap. */
const buffer = Buffer.allocUnsafe(CHUNK_BYTES);

/**
 * Feeds `targets` from the file at `real`. Searches with decompress get the gunzipped bytes of a
 * gzip file; the others (and all of them, for any other file) get the bytes as stored.
 * `statSize`: the file's size from its stat, when known. Returns false when aborted. Throws the
 * read or decompression error.
 */
export async function readFor(
  real: string,
  targets: readonly SearchBytes[],
  stats: ReadStats,
  pacer: Pacer,
  statSize?: number,
): Promise<boolean> {
  const fd = openSync(real, 'r');
  let gzipTargets: SearchBytes[] = [];
  try {
    let size = targets.some((t) => t.search.algorithms.size > 0) ? CHUNK_BYTES : FIRST_CONTENT_READ_BYTES;
    let n = readSync(fd, buffer, 0, size, null);
    stats.bytesRead += n;
    const isGzip = n >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
    gzipTargets = isGzip ? targets.filter((t) => t.search.isDecompress) : [];
    const plain = new Pass(
      targets.filter((t) => !gzipTargets.includes(t)),
      stats,
    );
    if (plain.targets.length > 0) {
      for (let offset = n; n > 0; offset += n) {
        // A regular file reads short only at its end: a short read ending at the size the file
        // had when stat'ed needs no further read() to hear the end (one syscall less per small file).
        const isEnd = n < size && offset === statSize;
        plain.feed(buffer.subarray(0, n), isEnd && offset === n);
        if (isEnd || plain.isDone) break;
        if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return false;
        size = Math.min(size * 2, CHUNK_BYTES);
        n = readSync(fd, buffer, 0, size, null);
        stats.bytesRead += n;
      }
      plain.end();
    }
  } finally {
    closeSync(fd);
  }
  return gzipTargets.length === 0 || readGzip(real, new Pass(gzipTargets, stats), stats, pacer);
}

async function readGzip(real: string, pass: Pass, stats: ReadStats, pacer: Pacer): Promise<boolean> {
  const source = createReadStream(real, { highWaterMark: CHUNK_BYTES });
  const gunzip = nodeZlib().createGunzip({ chunkSize: 256 * 1024 });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      pass.feed(chunk as Buffer);
      if (pass.isDone) break;
      if (pacer.isDue ? !(await pacer.pause()) : pacer.isAborted) return false;
    }
  } finally {
    stats.bytesRead += source.bytesRead;
    source.destroy();
    gunzip.destroy();
  }
  pass.end();
  return true;
}
