import { posix } from 'node:path';
import { z } from 'zod';

/**
 * What the host's owner allows the exec module, in the agent config (`moduleSettings.exec`),
 * never in the action: two investigators may run a program only if this host lists it. Empty by
 * default, so an agent nobody configured runs nothing. Pure: safe for agent/config.ts to import.
 */

/** Environment variable names as POSIX shells accept them. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Variables that make a program load code other than itself (the dynamic loader's LD_*, shells'
 * startup files, interpreters' module paths): allowing one would let an action run any code
 * through an allow-listed program, so the config refuses them.
 */
const CODE_LOADING =
  /^(LD_|GCONV_PATH$|BASH_ENV$|ENV$|SHELLOPTS$|PS4$|PYTHON|PERL5|PERLLIB$|RUBYLIB$|RUBYOPT$|NODE_OPTIONS$|NODE_PATH$|GIT_)/;

/** Absolute and already normal (no `..`, `.`, `//`, trailing `/`): the allow-list compares strings. */
export function programPathProblem(value: string): string | undefined {
  const shown = JSON.stringify(value.slice(0, 200));
  if (!value.startsWith('/')) return `expected an absolute program path (starting with /), got ${shown}`;
  if (value.includes('\0')) return 'expected a path without NUL characters';
  if (value.length > 4096) return `expected at most 4096 characters, got ${value.length}`;
  if (posix.normalize(value) !== value || value.endsWith('/'))
    return `expected a normalized path (no ., .., // or trailing /), got ${shown}`;
  return undefined;
}

const programPath = z.string().superRefine((value, ctx) => {
  const problem = programPathProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const envName = z.string().superRefine((value, ctx) => {
  if (!ENV_NAME.test(value))
    ctx.addIssue({
      code: 'custom',
      message: `expected an environment variable name (letters, digits, _), got ${JSON.stringify(value.slice(0, 64))}`,
    });
  else if (CODE_LOADING.test(value))
    ctx.addIssue({
      code: 'custom',
      message: `${value} makes programs load other code: allowing it would let an action bypass the program allow-list`,
    });
});

/** Names an action may set when the config says nothing: locale and time zone only. */
export const DEFAULT_ALLOWED_ENV = ['LANG', 'LC_ALL', 'TZ'] as const;

export const ExecSettingsSchema = z.strictObject({
  programs: z
    .array(programPath)
    .max(256)
    .default([])
    .describe('absolute paths of the programs exec may run; default none: nothing runs'),
  env: z
    .array(envName)
    .max(64)
    .default([...DEFAULT_ALLOWED_ENV])
    .describe('environment variables an action may set for the program; nothing else reaches it'),
});

export type ExecSettings = z.output<typeof ExecSettingsSchema>;
