import { BaseError, UserError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { loadModuleSpec, moduleNames } from '../../modules/spec-loaders.js';
import { closestMatch } from '../flags/suggest.js';
import { COMMANDS, findCommand, overviewHelp } from './commands.js';
import { CliContext, EXIT, type CliDeps } from './context.js';

export type { CliDeps } from './context.js';
export { EXIT } from './context.js';

/** ctrl+c (or a service manager's SIGTERM) as an AbortSignal: the injected one, or the signals for the duration of the run. */
function interruptSignal(deps: CliDeps): { signal: AbortSignal; dispose(): void } {
  if (deps.interrupt !== undefined) return { signal: deps.interrupt, dispose: () => undefined };
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    },
  };
}

const SERVER_CODES: ReadonlySet<string> = new Set(['SERVER_UNREACHABLE', 'UNAUTHENTICATED', 'FORBIDDEN']);

/** Prints an error the way a person can act on it; returns the exit status. */
function report(ctx: CliContext, err: unknown): number {
  if (err instanceof BaseError) {
    ctx.sayError(`mig: ${err.message} (${err.code})`);
    if (err instanceof UserError && err.hint !== undefined) ctx.say(`hint: ${err.hint}`);
    // Talking to the wrong server looks like a key problem: say which server, and why that one.
    if (SERVER_CODES.has(err.code) && ctx.serverChoice !== undefined)
      ctx.say(`server: ${ctx.serverChoice.url} (from ${ctx.serverChoice.source})`);
  } else {
    ctx.sayError(`mig: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    if (ctx.deps.env.MIG_DEBUG !== undefined && err instanceof Error && err.stack !== undefined) ctx.say(err.stack);
  }
  return EXIT.error;
}

function unknownCommand(name: string, modules: ReadonlyMap<string, AnyModuleSpec>): UserError {
  const names = [...new Set([...COMMANDS.map((c) => c.path[0] ?? ''), ...modules.keys()])];
  const guess = closestMatch(name, names);
  return new UserError(
    'BAD_REQUEST',
    `unknown command ${JSON.stringify(name)}${guess === undefined ? '' : `; did you mean ${guess}?`}`,
    'run `mig --help` for the list',
  );
}

async function dispatch(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h' || first === '-help') {
    // `mig help file` is `mig file --help`.
    if (first === 'help' && rest.length > 0) return dispatch(ctx, [...rest, '--help']);
    ctx.stdout.write(overviewHelp(ctx.modules));
    return first === undefined ? EXIT.error : EXIT.ok;
  }
  const command = findCommand(argv);
  if (command?.run !== undefined) return command.run(ctx, argv.slice(command.path.length));
  if (command !== undefined) {
    throw new UserError(
      'BAD_REQUEST',
      `\`mig ${first}\` is not handled by the investigator CLI`,
      'run it through the `mig` executable',
    );
  }
  const spec = ctx.modules.get(first);
  if (spec !== undefined) {
    // Hunt code (flag parsing, signing, launch and follow, -t local) loads only for a hunt.
    const { runHunt } = await import('./hunt.js');
    return runHunt(ctx, spec, rest);
  }
  if (first === 'action' && (rest[0] === undefined || ['--help', '-h', '-help'].includes(rest[0]))) {
    const lines = COMMANDS.filter((c) => c.path[0] === 'action').map(
      (c) => `  mig ${c.path.join(' ')} ${c.args}`.padEnd(56) + c.summary,
    );
    ctx.stdout.write(
      `mig action: work with action files and actions on the server\n\n${lines.join('\n')}\n\nmig action <sub> --help for its flags\n`,
    );
    return rest[0] === undefined ? EXIT.error : EXIT.ok;
  }
  if (first === 'action') {
    const subs = COMMANDS.filter((c) => c.path[0] === 'action').map((c) => c.path[1] ?? '');
    throw new UserError(
      'BAD_REQUEST',
      `mig action: expected one of ${subs.join(', ')}${rest[0] === undefined ? '' : `, got ${JSON.stringify(rest[0])}`}`,
    );
  }
  throw unknownCommand(first, ctx.modules);
}

/**
 * The specs a command needs: a hunt (`mig file ...`) its own module's only, since importing
 * every spec builds every module's zod schemas (~40 ms of CPU a one-file hunt does not need;
 * doc/performance.md, Start-up); any other command, whose help or action may name any module, all.
 */
async function modulesFor(argv: readonly string[]): Promise<ReadonlyMap<string, AnyModuleSpec>> {
  const first = argv[0];
  if (first !== undefined && moduleNames.includes(first) && findCommand(argv) === undefined) {
    const spec = await loadModuleSpec(first);
    if (spec !== undefined) return new Map([[spec.name, spec]]);
  }
  return (await import('../../modules/registry.js')).moduleSpecs;
}

/**
 * The investigator's one-shot CLI: `mig <module> ...`, `mig action ...`, `mig agents`, ...
 * Returns the exit status; never calls process.exit (bin/main.ts does).
 */
export async function runInvestigatorCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const modules = deps.modules ?? (await modulesFor(argv));
  const interrupt = interruptSignal(deps);
  const ctx = new CliContext(deps, interrupt.signal, modules);
  try {
    return await dispatch(ctx, argv);
  } catch (err) {
    if (interrupt.signal.aborted) {
      ctx.say('interrupted');
      return EXIT.interrupted;
    }
    return report(ctx, err);
  } finally {
    interrupt.dispose();
  }
}
