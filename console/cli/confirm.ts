import { createInterface } from 'node:readline/promises';
import { UserError } from '../../protocol/errors.js';
import { isTty, type CliContext } from './context.js';

/**
 * A y/N question on the terminal: only `y` or `yes` says yes, anything else (Enter included)
 * says no. Without a terminal there is nobody to ask: the command must be told with -y.
 */
export async function askYesNo(ctx: CliContext, question: string, skipHint: string): Promise<boolean> {
  if (!isTty(ctx.stdin)) {
    throw new UserError('BAD_REQUEST', `cannot ask "${question}": stdin is not a terminal`, skipHint);
  }
  // terminal: false reads plain lines; a raw-mode prompt is the passphrase prompt's business.
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: false });
  try {
    ctx.stderr.write(`${question} [y/N] `);
    const answer = await new Promise<string>((resolve, reject) => {
      const onAbort = (): void => reject(new UserError('BAD_REQUEST', 'interrupted'));
      const answered = (line: string): void => {
        ctx.interrupt.removeEventListener('abort', onAbort);
        resolve(line);
      };
      ctx.interrupt.addEventListener('abort', onAbort, { once: true });
      rl.once('line', answered);
      // End of input before a line is a no.
      rl.once('close', () => answered(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
