import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes through a temp file and a rename, so a process killed mid-write leaves either the old
 * file or the new one, never half of one. (No fsync: we guard against process death, not power loss.)
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
