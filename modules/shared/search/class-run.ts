import { requiredFragment } from './regex-fragment.js';
import { toJsForm } from './regex-js.js';

/**
 * A byte prefilter for patterns whose every match holds a run of one ASCII class (`[0-9]{6,}`,
 * `[0-9a-f]{32}`, `\d{4}-`): before a run of lines is decoded, is there any place where `k`
 * bytes of the class stand side by side? Only every k-th byte needs a look (any such place
 * covers one of them), so a byte loop answers at ~1-2 GB/s, where V8 looking for the same piece
 * in decoded text ran at ~0.6 GB/s and decoding came first (the no-literal class of
 * bench/file-content.ts). A run of lines without such a place is skipped, undecoded.
 *
 * Sound on the text regexes see (line-text.ts, and memory's UTF-8 decoding): an ASCII
 * character there is always the very byte it came from (invalid bytes become U+DC80.. or
 * U+FFFD, multi-byte sequences hold no ASCII byte), so k class characters side by side in a
 * line are k class bytes side by side. A class with any non-ASCII member (`.`, `[^a]`, `\D`,
 * `\pL`, a case-folded k or s, which fold to the Kelvin sign and the long s) gets no filter.
 * '\n' never lies inside a line: it is dropped from the class (memory's NUL lines too).
 */

export interface BytesFilter {
  /** False only when no line in `bytes` (whole lines) can match. */
  isIn(bytes: Buffer): boolean;
}

/** A run shorter than this is on most lines of text (a year, a port): not worth a pass. */
const MIN_RUN = 4;

export class ClassRunFilter implements BytesFilter {
  constructor(
    /** 1 for each byte of the class. */
    private readonly isMember: Uint8Array,
    /** Bytes of the class side by side that every match holds. */
    readonly run: number,
  ) {
    if (isMember.length !== 256) throw new Error(`ClassRunFilter: expected 256 byte flags, got ${isMember.length}`);
    if (!Number.isInteger(run) || run < 1)
      throw new Error(`ClassRunFilter: expected a run of at least 1 byte, got ${run}`);
  }

  isIn(bytes: Buffer): boolean {
    const { isMember, run } = this;
    const n = bytes.length;
    // Every window of `run` bytes at or after the last non-member seen holds exactly one probe.
    for (let probe = run - 1; probe < n;) {
      if (isMember[bytes[probe] as number] === 0) {
        probe += run;
        continue;
      }
      // Left: at most run - 1 bytes back, the last probe or non-member is not in the class.
      let start = probe;
      while (start > 0 && isMember[bytes[start - 1] as number] === 1) start--;
      let end = probe + 1;
      while (end < n && end - start < run && isMember[bytes[end] as number] === 1) end++;
      if (end - start >= run) return true;
      probe = end + run; // bytes[end] is not in the class (or the end)
    }
    return false;
  }
}

/** Atoms whose members are all ASCII, by their spelling (RE2's \d \w \s are ASCII). */
function isAsciiOnly(atom: string): boolean {
  if (atom === '\\d' || atom === '\\w' || atom === '\\s') return true;
  if (atom.length === 1) return atom !== '.' && atom.charCodeAt(0) < 0x80;
  if (atom.length === 2 && atom[0] === '\\') return /^[!-/:-@[-`{-~]$/.test(atom[1] as string); // escaped punctuation
  if (!atom.startsWith('[') || atom.startsWith('[^') || atom.includes('[:^')) return false;
  // No negated or Unicode escapes, no hex escape (maybe past ASCII), nothing outside ASCII.
  return !/\\[pPxDWSCQ]/.test(atom) && ![...atom].some((c) => c.charCodeAt(0) >= 0x80);
}

/** The ASCII bytes `atom` matches (without '\n'), or undefined when it may match more. */
function memberBytes(atom: string, isFolded: boolean): Uint8Array | undefined {
  if (!isAsciiOnly(atom)) return undefined;
  const form = toJsForm(`${isFolded ? '(?i)' : ''}${atom}`);
  if (form === undefined) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${form.source})$`, form.flags);
  } catch {
    return undefined;
  }
  const isMember = new Uint8Array(256);
  for (let byte = 0; byte < 0x80; byte++) if (byte !== 10 && re.test(String.fromCharCode(byte))) isMember[byte] = 1;
  // Under (?i), RE2 folds k to U+212A and s to U+017F: multi-byte characters in the class.
  if (isFolded && [0x4b, 0x6b, 0x53, 0x73].some((b) => isMember[b] === 1)) return undefined;
  return isMember;
}

/** The filter for `pattern`'s longest single-class run (regex-fragment.ts's piece), or undefined. */
export function classRunFilter(pattern: string): ClassRunFilter | undefined {
  const fragment = requiredFragment(pattern);
  if (fragment === undefined) return undefined;
  let best: ClassRunFilter | undefined;
  for (const item of fragment.items) {
    if (item.min < MIN_RUN || item.min <= (best?.run ?? 0)) continue;
    const isMember = memberBytes(item.atom, fragment.isFolded);
    if (isMember !== undefined) best = new ClassRunFilter(isMember, item.min);
  }
  return best;
}
