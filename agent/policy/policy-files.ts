import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../journal/atomic-write.js';

export const POLICY_FILE = 'policy.json';
export const POLICY_PREV_FILE = 'policy.prev.json';

/** The bundle applied last, exactly as received, and the one before it. */
export function policyPaths(dataDir: string): { current: string; previous: string } {
  return { current: join(dataDir, POLICY_FILE), previous: join(dataDir, POLICY_PREV_FILE) };
}

/** Text of a stored bundle, or undefined when there is none or it cannot be read. */
export function readStoredPolicy(path: string, warn: (msg: string) => void): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    warn(`cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Keeps the bundle held until now as policy.prev.json, then writes the new one (each write atomic). */
export function storePolicy(dataDir: string, text: string, held: string | undefined): void {
  const paths = policyPaths(dataDir);
  if (held !== undefined) writeFileAtomic(paths.previous, held);
  writeFileAtomic(paths.current, text);
}
