import { z } from 'zod';
import { negatableRegexProblem } from '../shared/search/param-values.js';
import { checked, matchlimitSchema, maxdepthSchema, pathProblem } from '../shared/param-checks.js';

/**
 * The yara module's parameters. Rule syntax is not checked here: only the engine can compile
 * YARA, and the engine is run code (a 6 MB WebAssembly module the console never loads). The
 * agent compiles the rules before walking anything and answers INVALID_PARAMETERS when they do
 * not compile.
 */

export const MIB = 1024 * 1024;
export const MAX_PATHS = 64;
/** Several rule files may be given; each is compiled in its own namespace. */
export const MAX_RULESETS = 16;
/** The whole action is capped at 256 KiB on the wire; one ruleset may take most of it. */
export const MAX_RULES_CHARS = 200_000;
/**
 * The file is read whole into memory, then copied into the engine's WebAssembly memory, which
 * never shrinks: the cap bounds the agent's memory, not just the time.
 */
export const MAX_FILE_BYTES = 256 * MIB;
export const DEFAULT_FILE_BYTES = 32 * MIB;

function rulesProblem(value: string): string | undefined {
  if (value.trim() === '') return 'expected YARA rule text, got an empty string';
  if (value.length > MAX_RULES_CHARS)
    return `expected at most ${MAX_RULES_CHARS} characters of rules, got ${value.length}`;
  return undefined;
}

export const yaraParams = z
  .strictObject({
    rules: z
      .array(checked(rulesProblem))
      .min(1)
      .max(MAX_RULESETS)
      .describe(
        'YARA rule sources; with several, each compiles in its own namespace (ns1, ns2, ...) so rule names may repeat',
      ),
    paths: z
      .array(checked(pathProblem))
      .min(1)
      .max(MAX_PATHS)
      .describe('Absolute paths (files or directories) to scan, literally: no globbing'),
    maxdepth: maxdepthSchema('a path'),
    maxfilesize: z
      .number()
      .int()
      .min(1)
      .max(MAX_FILE_BYTES)
      .default(DEFAULT_FILE_BYTES)
      .describe(
        `Skip (with a warning) files larger than this many bytes (default ${DEFAULT_FILE_BYTES / MIB} MiB, at most ${MAX_FILE_BYTES / MIB} MiB)`,
      ),
    name: checked(negatableRegexProblem)
      .optional()
      .describe(
        'RE2 regex on the base name: only matching files are scanned; a leading ! scans the names that do not match',
      ),
    matchlimit: matchlimitSchema('Stop'),
  })
  .describe('YARA module parameters');

export type YaraParams = z.output<typeof yaraParams>;
