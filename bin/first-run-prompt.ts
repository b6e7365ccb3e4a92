import type { MaybeTtyInput } from '../console/services/passphrase.js';

/**
 * A numbered choice on the terminal, answered with a line: Enter takes the first. Anything else
 * that is not a listed number asks again, three times at most, then takes the first.
 * Returns the chosen index.
 */
export async function askChoice(
  question: string,
  options: readonly string[],
  input: MaybeTtyInput,
  output: NodeJS.WritableStream,
): Promise<number> {
  output.write(`${question}\n${options.map((o, i) => `  ${i + 1}) ${o}`).join('\n')}\n`);
  for (let attempt = 0; attempt < 3; attempt++) {
    output.write(`Number [1-${options.length}, Enter for 1]: `);
    const answer = (await readLine(input)).trim();
    if (answer === '') return 0;
    const n = Number(answer);
    if (Number.isInteger(n) && n >= 1 && n <= options.length) return n - 1;
    output.write(`  ${JSON.stringify(answer)} is not one of 1-${options.length}\n`);
  }
  output.write('  taking 1\n');
  return 0;
}

/** One line from `input` ('' at its end); the stream is paused again afterwards. */
function readLine(input: MaybeTtyInput): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (): void => {
      input.removeListener('data', onData);
      input.removeListener('end', finish);
      input.pause();
      resolve(text);
    };
    const onData = (chunk: Buffer | string): void => {
      const piece = chunk.toString();
      const nl = piece.indexOf('\n');
      if (nl < 0) {
        text += piece;
        return;
      }
      text += piece.slice(0, nl);
      // What follows the newline belongs to the next read: put it back.
      const rest = piece.slice(nl + 1);
      finish();
      if (rest !== '') input.unshift(Buffer.from(rest));
    };
    input.on('data', onData);
    input.once('end', finish);
    input.resume();
  });
}
