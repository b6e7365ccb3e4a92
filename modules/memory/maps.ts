/**
 * /proc/<pid>/maps, parsed: the readable regions to scan and the mapped files (libraries).
 * Lines look like `7f1c2a000000-7f1c2a021000 r--p 00000000 fe:00 1234   /usr/lib/libc.so.6`.
 */

export interface Region {
  start: number;
  end: number;
  /** Mapped file, `[heap]`, `[stack]`...; empty for anonymous memory. */
  path: string;
}

export interface ProcessMaps {
  /** Readable regions in address order, below 2^53 (see parseMaps). */
  regions: Region[];
  /** Distinct mapped file paths (absolute), in first-seen order. */
  files: string[];
  /** Lines that did not parse (a kernel format we do not know): counted, never fatal. */
  badLines: number;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) ([-r][-w][-x][-psS]) [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ \d+ *(.*)$/;

/**
 * Kernel pages that hold no process data and always fail to read with EIO: skipping them keeps
 * the unreadable-region count about real failures.
 */
const KERNEL_PAGES = new Set(['[vvar]', '[vvar_vclock]', '[vsyscall]']);

export function parseMaps(text: string): ProcessMaps {
  const regions: Region[] = [];
  const files = new Set<string>();
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const m = LINE.exec(line);
    if (m === null) {
      badLines++;
      continue;
    }
    const path = m[4] ?? '';
    if (path.startsWith('/')) files.add(path);
    const start = Number.parseInt(m[1] ?? '', 16);
    const end = Number.parseInt(m[2] ?? '', 16);
    // Addresses past 2^53 ([vsyscall] at 0xffffffffff600000) lose precision as numbers; no user
    // mapping lives there on Linux (user space ends at 2^47, or 2^56 with 5-level paging).
    if (m[3]?.[0] !== 'r' || KERNEL_PAGES.has(path) || end > Number.MAX_SAFE_INTEGER || end <= start) continue;
    regions.push({ start, end, path });
  }
  regions.sort((a, b) => a.start - b.start);
  return { regions, files: [...files], badLines };
}

/** The regions from `offset` on, the first one cut to start there. */
export function regionsFrom(regions: readonly Region[], offset: number): Region[] {
  return regions.filter((r) => r.end > offset).map((r) => (r.start >= offset ? r : { ...r, start: offset }));
}
