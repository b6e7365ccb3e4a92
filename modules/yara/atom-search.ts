import type { Atom } from './prefilter.js';

/**
 * Is any atom in a file's bytes? Case-sensitive atoms: Buffer#includes each (native, GB/s for
 * a handful of atoms). Folded ones: one case-insensitive V8 RegExp over the bytes read as
 * Latin-1, in windows of 64 KiB overlapping by the longest atom less one byte (a longer one-byte
 * string lands in V8's large-object space, freed only by full collections: content.ts). The
 * RegExp's `i` folds every ASCII letter as YARA's nocase does, and a little more (Latin-1
 * letters): a few more files reach the engine, never fewer.
 */

const WINDOW_CHARS = 64 * 1024;

export class AtomSearch {
  private readonly exact: readonly Buffer[];
  private readonly folded: RegExp | undefined;
  private readonly overlap: number;

  constructor(atoms: readonly Atom[]) {
    // A folded atom without letters is found as well by the faster exact search.
    const hasLetter = (a: Atom): boolean => a.bytes.some((b) => (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a);
    this.exact = atoms.filter((a) => !a.isFolded || !hasLetter(a)).map((a) => a.bytes);
    const folded = atoms.filter((a) => a.isFolded && hasLetter(a));
    this.folded =
      folded.length === 0
        ? undefined
        : new RegExp(
            folded.map((a) => Array.from(a.bytes, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')).join('|'),
            'i',
          );
    this.overlap = Math.max(0, ...folded.map((a) => a.bytes.length - 1));
  }

  isIn(bytes: Buffer): boolean {
    for (const atom of this.exact) if (bytes.includes(atom)) return true;
    const folded = this.folded;
    if (folded === undefined) return false;
    for (let start = 0; start < bytes.length; start += WINDOW_CHARS) {
      const end = Math.min(bytes.length, start + WINDOW_CHARS + this.overlap);
      if (folded.test(bytes.toString('latin1', start, end))) return true;
      if (end === bytes.length) break;
    }
    return false;
  }
}
