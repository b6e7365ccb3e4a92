import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { regexProblem } from '../shared/search/regex.js';
import { ENV_NAME, programPathProblem } from './settings.js';

/**
 * The exec response module: run one program, given as an argument vector (never through a
 * shell), if this agent's config lists its absolute path (moduleSettings.exec.programs; none by
 * default). It answers how the program ended and what it printed as sizes, sha256 digests and
 * matching-line counts: never the output itself, which may hold anything.
 */

export const MAX_ARGS = 256;
export const MAX_ARG_CHARS = 4096;
export const MAX_ENV = 64;
export const MAX_TIMEOUT_SECONDS = 300;
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Account and group names as the account module takes them, or a numeric id. */
const ID_NAME = /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?|\d{1,10})$/;
const DURATION = /^([1-9]\d{0,5})(s|m)$/;

/** `30s`, `5m` → seconds; NaN when the text is not such a duration (the schema then names the flag). */
export function parseTimeoutSeconds(text: string): number {
  const m = DURATION.exec(text);
  return m === null ? Number.NaN : Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

// Values may be secrets (a token in an argument or a variable): messages say their length, never them.
const noNul = (what: string) =>
  z.string().superRefine((value, ctx) => {
    if (value.length > MAX_ARG_CHARS)
      ctx.addIssue({
        code: 'custom',
        message: `expected ${what} of at most ${MAX_ARG_CHARS} characters, got ${value.length}`,
      });
    else if (value.includes('\0'))
      ctx.addIssue({
        code: 'custom',
        message: `expected ${what} without NUL characters, got one at ${value.indexOf('\0')}`,
      });
  });

const programPath = z.string().superRefine((value, ctx) => {
  const problem = programPathProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const idName = (what: string) =>
  z.string().superRefine((value, ctx) => {
    if (!ID_NAME.test(value))
      ctx.addIssue({
        code: 'custom',
        message: `expected a local ${what} name or a numeric id, got ${JSON.stringify(value.slice(0, 64))}`,
      });
  });

// Keys checked here, not by z.record's key schema, whose message would be zod's own "Invalid key".
const envMap = z.record(z.string(), noNul('a value')).superRefine((env, ctx) => {
  const names = Object.keys(env);
  if (names.length > MAX_ENV) ctx.addIssue({ code: 'custom', message: `expected at most ${MAX_ENV} variables` });
  for (const name of names.filter((n) => !ENV_NAME.test(n)))
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `expected an environment variable name (letters, digits, _), got ${JSON.stringify(name.slice(0, 64))}`,
    });
});

const pattern = z.string().superRefine((value, ctx) => {
  const problem = regexProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const execParams = z.strictObject({
  program: programPath.describe('Absolute path of the program to run; it must be on the agent config allow-list'),
  args: z.array(noNul('an argument')).max(MAX_ARGS).default([]).describe('Arguments after the program, one each'),
  env: envMap
    .default({})
    .describe(
      'Environment of the program, name to value; only names the agent config allows (default LANG, LC_ALL, TZ)',
    ),
  user: idName('user').optional().describe('Run as this user (name or uid); default: the agent user'),
  group: idName('group').optional().describe("Run as this group (name or gid); default: the user's own group"),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(MAX_TIMEOUT_SECONDS, `expected at most ${MAX_TIMEOUT_SECONDS} seconds`)
    .default(DEFAULT_TIMEOUT_SECONDS)
    .describe('Seconds the program may run before it and its children are killed'),
  match: pattern.optional().describe('RE2 regex: count the lines of stdout and stderr it matches'),
  dryrun: z
    .boolean()
    .default(false)
    .describe('Check the program may run (allow-list, user, environment) and run nothing'),
});

export const execRow = z.strictObject({
  program: z.string().describe('The program asked for'),
  isRun: z.boolean().describe('True when the program was started'),
  isDryRun: z.boolean().describe('True: nothing was run'),
  exitCode: z.number().int().optional().describe('Exit status, when the program exited'),
  signal: z.string().optional().describe('Signal that ended the program (SIGKILL after a timeout)'),
  isTimedOut: z.boolean().describe('True when the program ran past its timeout and was killed'),
  durationMs: z.number().int().nonnegative().describe('Wall time from start to end, in milliseconds'),
  stdoutBytes: z.number().int().nonnegative().describe('Bytes the program wrote on stdout (up to the limit)'),
  stdoutSha256: z.string().describe('sha256 of those stdout bytes (hex)'),
  isStdoutCut: z.boolean().describe('True when stdout went past the limit: bytes and sha256 cover the first part only'),
  stderrBytes: z.number().int().nonnegative().describe('Bytes the program wrote on stderr (up to the limit)'),
  stderrSha256: z.string().describe('sha256 of those stderr bytes (hex)'),
  isStderrCut: z.boolean().describe('True when stderr went past the limit: bytes and sha256 cover the first part only'),
  stdoutMatches: z.number().int().nonnegative().optional().describe('Lines of stdout the -match regex matched'),
  stderrMatches: z.number().int().nonnegative().optional().describe('Lines of stderr the -match regex matched'),
  error: z.string().optional().describe('Why the program did not run, or did not end by itself'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const execCli = z.strictObject({
  program: z.string().describe(paramHelp(execParams, 'program')),
  arg: z
    .array(z.string())
    .optional()
    .describe(paramHelp(execParams, 'args', 'repeat for several, in order; -arg=-x for one starting with -')),
  env: z
    .array(z.string())
    .optional()
    .describe(paramHelp(execParams, 'env', 'as NAME=VALUE, repeat for several')),
  user: z.string().optional().describe(paramHelp(execParams, 'user')),
  group: z.string().optional().describe(paramHelp(execParams, 'group')),
  timeout: z
    .string()
    .optional()
    .describe(
      paramHelp(execParams, 'timeoutSeconds', `as a flag: 30s or 2m (at most 5m); default ${DEFAULT_TIMEOUT_SECONDS}s`),
    ),
  match: z.string().optional().describe(paramHelp(execParams, 'match')),
  dryrun: z.boolean().optional().describe(paramHelp(execParams, 'dryrun')),
});

/** `NAME=VALUE` pairs → a map; a pair without `=` becomes a name the schema refuses, with the flag's text. */
function envOf(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 0) env[`${pair} (expected NAME=VALUE)`] = '';
    else env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function toParams(v: z.output<typeof execCli>): z.input<typeof execParams> {
  const optional = {
    user: v.user,
    group: v.group,
    match: v.match,
    timeoutSeconds: v.timeout === undefined ? undefined : parseTimeoutSeconds(v.timeout),
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined));
  return { program: v.program, args: v.arg ?? [], env: envOf(v.env ?? []), ...defined, dryrun: v.dryrun === true };
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const execModule = defineModule({
  name: 'exec',
  version: '1.0.0',
  summary:
    'Run an allow-listed program (no shell) and answer its exit, duration, output sizes, sha256 and matching lines, never the output (response: needs two signatures)',
  platforms: ['linux'],
  params: execParams,
  result: execRow,
  columns: [
    { key: 'program', header: 'PROGRAM' },
    { key: 'exitCode', header: 'EXIT', align: 'right' },
    { key: 'signal', header: 'SIGNAL' },
    { key: 'durationMs', header: 'MS', align: 'right' },
    { key: 'stdoutBytes', header: 'STDOUT', isBytes: true },
    { key: 'stdoutMatches', header: 'OUT MATCHES', align: 'right' },
    { key: 'stderrMatches', header: 'ERR MATCHES', align: 'right' },
    { key: 'isDryRun', header: 'DRY RUN' },
    { key: 'stdoutSha256', header: 'STDOUT SHA256', isWide: true },
    { key: 'stderrBytes', header: 'STDERR', isBytes: true, isWide: true },
    { key: 'stderrSha256', header: 'STDERR SHA256', isWide: true },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: { schema: execCli, flags: { arg: { param: 'args' }, timeout: { param: 'timeoutSeconds' } }, toParams },
  privacy: { maxRows: 1, maxBytes: 16 * 1024 },
  // The longest timeout a parameter allows, plus time to kill and report.
  limits: { timeoutMs: (MAX_TIMEOUT_SECONDS + 15) * 1000 },
  examples: [
    {
      command:
        "mig exec -t \"tags->>'role' = 'web'\" -program /usr/bin/dpkg -arg=--verify -arg openssh-server -match '^\\?\\?5' -dryrun",
      explains: 'Which web servers may run dpkg --verify (on their allow-list, as asked); nothing runs',
    },
    {
      command:
        "mig exec -t \"tags->>'role' = 'web'\" -program /usr/bin/dpkg -arg=--verify -arg openssh-server -match '^\\?\\?5'",
      explains:
        "On which web servers do files of openssh-server differ from the package's digests: lines counted, never shown",
    },
    {
      command: 'mig exec -t "name = \'web-7\'" -program /usr/bin/systemctl -arg restart -arg nginx -timeout 1m',
      explains: 'Restart nginx on web-7 and learn how it ended (exit status, how long it took)',
    },
  ],
  // With -match: some line matched. Without: the program exited 0 (a dry run: it may run here).
  isFound: (rows) =>
    rows.some((r) => {
      if (r.isDryRun === true) return r.error === undefined;
      if (r.stdoutMatches !== undefined || r.stderrMatches !== undefined)
        return Number(r.stdoutMatches ?? 0) + Number(r.stderrMatches ?? 0) > 0;
      return r.exitCode === 0;
    }),
});
