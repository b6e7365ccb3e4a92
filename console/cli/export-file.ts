import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { flagError } from '../../protocol/flag-problem.js';
import { PLAIN, type Palette } from '../render/colors.js';
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
    throw flagError(
      '-out',
      'a path in a folder that can be made',
      `${JSON.stringify(path)} (${(err as Error).message})`,
    );
  }
  const stream = createWriteStream(absolute, { mode: 0o600 });
  await new Promise<void>((ok, fail) => {
    stream.once('open', () => ok());
    stream.once('error', (err) =>
      fail(flagError('-out', 'a file that can be written', `${JSON.stringify(path)} (${err.message})`)),
    );
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

/** Where a command's rendered results go: stdout (coloured for a terminal), or a file given with -out. */
export interface ResultsOutput {
  stream: NodeJS.WritableStream;
  palette: Palette;
  /** Closes the file and says where it is; nothing for stdout. */
  finish(say: (line: string) => void): Promise<void>;
}

export async function openResultsOutput(
  stdout: NodeJS.WritableStream,
  stdoutPalette: Palette,
  out: string | undefined,
): Promise<ResultsOutput> {
  if (out === undefined) return { stream: stdout, palette: stdoutPalette, finish: () => Promise.resolve() };
  const file = await openExport(out);
  return {
    stream: file.stream,
    palette: PLAIN,
    async finish(say) {
      await file.close();
      say(`results written to ${file.path}`);
    },
  };
}
