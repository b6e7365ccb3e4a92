import { UserError } from '../../protocol/errors.js';

/**
 * Where a key's passphrase comes from. Never logged, never written anywhere: it goes straight
 * from here to signer.ts.
 */
export type PassphraseSource = (purpose: string) => Promise<string>;

/** A readable that may be a terminal (process.stdin or a test double). */
export interface MaybeTtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Reads the whole stream; one trailing newline (what `echo` adds) is not part of the passphrase. */
export async function readPassphraseFromStream(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACES = new Set(['\u007f', '\b']);

/**
 * Masked prompt on a terminal: echoes `*` per character, handles backspace, Enter finishes,
 * ctrl+c aborts. Raw mode is always restored, even on error.
 */
export function promptMasked(prompt: string, input: MaybeTtyInput, output: NodeJS.WritableStream): Promise<string> {
  if (input.isTTY !== true || input.setRawMode === undefined) {
    return Promise.reject(new UserError('SIGNER_FAILED', 'cannot prompt for a passphrase: stdin is not a terminal'));
  }
  const setRawMode = input.setRawMode.bind(input);
  output.write(prompt);
  setRawMode(true);
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (err?: Error): void => {
      input.removeListener('data', onData);
      setRawMode(false);
      input.pause();
      output.write('\n');
      if (err === undefined) resolve(value);
      else reject(err);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) return finish();
        if (ch === CTRL_C) return finish(new UserError('SIGNER_FAILED', 'passphrase prompt cancelled'));
        if (BACKSPACES.has(ch)) {
          if (value.length > 0) {
            value = [...value].slice(0, -1).join('');
            output.write('\b \b');
          }
          continue;
        }
        value += ch;
        output.write('*');
      }
    };
    input.on('data', onData);
  });
}

export interface PassphraseSourceOptions {
  env: NodeJS.ProcessEnv;
  input: MaybeTtyInput;
  /** Where the prompt is drawn: stderr, so stdout stays clean for results. */
  output: NodeJS.WritableStream;
}

/** `MIG_PASSPHRASE` first (scripts, tests), then a masked prompt when stdin is a terminal. */
export function defaultPassphraseSource(opts: PassphraseSourceOptions): PassphraseSource {
  return async (purpose) => {
    const fromEnv = opts.env.MIG_PASSPHRASE;
    if (fromEnv !== undefined) return fromEnv;
    if (opts.input.isTTY === true) return promptMasked(`Passphrase for ${purpose}: `, opts.input, opts.output);
    throw new UserError(
      'SIGNER_FAILED',
      `${purpose} needs a passphrase and stdin is not a terminal`,
      'set MIG_PASSPHRASE in the environment, or run on a terminal',
    );
  };
}
