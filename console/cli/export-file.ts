import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { flagError } from '../../protocol/flag-problem.js';
import { exportsDir } from '../services/config.js';

export interface ExportFile {
  /** Absolute: printed so a person can open it. */
  path: string;
  stream: WriteStream;
  close(): Promise<void>;
}

/** Where `-export` writes when no `-out` is given: `$MIG_HOME/exports/mig-<action>-<time>.<ext>`. */
export function defaultExportPath(home: string, actionId: string, extension: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return resolve(exportsDir(home), `mig-${actionId.slice(0, 12)}-${stamp}.${extension}`);
}

/**
 * Opens a results file. Results come from endpoints and may be sensitive: the file is private
 * to the investigator (0600), and its folder is made on demand.
 */
export async function openExport(path: string): Promise<ExportFile> {
  const absolute = resolve(path);
  try {
    await mkdir(dirname(absolute), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw flagError('-out', 'a path in a folder that can be made', `${JSON.stringify(path)} (${(err as Error).message})`);
  }
  const stream = createWriteStream(absolute, { mode: 0o600 });
  await new Promise<void>((ok, fail) => {
    stream.once('open', () => ok());
    stream.once('error', (err) => fail(flagError('-out', 'a file that can be written', `${JSON.stringify(path)} (${err.message})`)));
  });
  return {
    path: absolute,
    stream,
    close: () =>
      new Promise<void>((ok, fail) => {
        stream.once('error', fail);
        stream.end(() => ok());
      }),
  };
}
