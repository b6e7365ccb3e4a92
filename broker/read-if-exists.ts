import { readFile } from 'node:fs/promises';

/**
 * A data-dir file's text, or undefined when there is none yet (a first start, nothing written so
 * far). Any other failure, such as permissions, is thrown: the server must not carry on as if empty.
 */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
