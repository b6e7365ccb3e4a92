import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../protocol/errors.js';

/** The text of `path`, or undefined when it does not exist yet; any other failure is thrown. */
export function readStateText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * A value the agent keeps in a file of dataDir (mode 0600), made once and read at every start
 * after. 'wx': two agents started on one dataDir at once must not end up with two values, so
 * the loser reads the winner's. `read` parses the file (undefined: there is none yet).
 */
export function loadOrCreateStateFile<T>(
  dataDir: string,
  file: string,
  read: (path: string) => T | undefined,
  make: () => { value: T; text: string | Buffer },
): T {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, file);
  const existing = read(path);
  if (existing !== undefined) return existing;
  const made = make();
  try {
    writeFileSync(path, made.text, { flag: 'wx', mode: 0o600 });
    return made.value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = read(path);
    if (winner === undefined)
      throw new UserError('CONFIG_INVALID', `agent state file ${path} appeared empty`, 'remove it and restart');
    return winner;
  }
}
