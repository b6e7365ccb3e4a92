import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { scribeDocument } from './document.js';

/**
 * The scribe module's self-description: MIG's compliance checks. A document of objects (values
 * from files and packages) and tests (version comparisons, regexes, existence, with
 * dependencies) is evaluated on the endpoint; each test answers pass, fail or error. File
 * contents never leave: a row carries a captured value only when it is a version number.
 */

export const scribeParams = z.strictObject({
  document: scribeDocument,
  onlypass: z.boolean().default(false).describe("Return only the tests that pass (MIG's onlytrue)"),
});
export type ScribeParams = z.output<typeof scribeParams>;

export const SCRIBE_RESULTS = ['pass', 'fail', 'error'] as const;

export const scribeRow = z.strictObject({
  test: z.string().describe('Test identifier'),
  name: z.string().describe('Test description, or its identifier'),
  result: z
    .enum(SCRIBE_RESULTS)
    .describe('pass: the test holds on this host; fail: it does not; error: it could not be judged'),
  object: z.string().describe('The object the test judged'),
  identifier: z
    .string()
    .optional()
    .describe('What decided it: the file path or package name of the value that passed (or of the first value judged)'),
  value: z
    .string()
    .optional()
    .describe('That value, only when it is a version number (other captured text stays on the host)'),
  error: z.string().optional().describe('Why the test could not be judged'),
});
export type ScribeRow = z.output<typeof scribeRow>;

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const scribeCli = z.strictObject({
  doc: z
    .string()
    .superRefine((text, ctx) => {
      try {
        JSON.parse(text);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `expected the scribe document as JSON text, e.g. -doc "$(cat doc.json)" (${err instanceof Error ? err.message : String(err)})`,
        });
      }
    })
    .describe(paramHelp(scribeParams, 'document', 'as a flag: the JSON text, -doc "$(cat doc.json)"')),
  onlypass: z.boolean().optional().describe(paramHelp(scribeParams, 'onlypass')),
});

/** The CLI schema checked that `doc` parses; a value that does not is left for the params schema to refuse. */
function toParams(values: z.output<typeof scribeCli>): z.input<typeof scribeParams> {
  let document: unknown;
  try {
    document = JSON.parse(values.doc);
  } catch {
    document = values.doc;
  }
  return { document: document as z.input<typeof scribeDocument>, onlypass: values.onlypass };
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const scribeModule = defineModule({
  name: 'scribe',
  version: '1.0.0',
  summary: 'Evaluate a scribe compliance document (file contents, file names, package versions) on each host',
  platforms: ['linux', 'darwin'],
  // Package objects read package databases too; files are the broader permission and the one MIG's scribe needed.
  params: scribeParams,
  result: scribeRow,
  columns: [
    { key: 'test', header: 'TEST' },
    { key: 'result', header: 'RESULT' },
    { key: 'identifier', header: 'IDENTIFIER' },
    { key: 'value', header: 'VALUE' },
    { key: 'name', header: 'NAME', isWide: true },
    { key: 'object', header: 'OBJECT', isWide: true },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: { schema: scribeCli, flags: { doc: { param: 'document' } }, toParams },
  // Nothing masked. Paths and package names are the answer; values are version numbers only.
  privacy: { maxRows: 1_000, maxBytes: 1024 * 1024 },
  limits: { timeoutMs: 5 * 60_000 },
  // Every test answers with a row: a host "found" something when a test passed, so
  // found(<actionId>) re-targets the hosts where the checked condition holds.
  isFound: (rows) => rows.some((row) => row.result === 'pass'),
  examples: [
    {
      command: 'mig scribe -doc "$(cat modules/scribe/examples/openssl-older-than-fixed.json)"',
      explains: 'Hosts whose openssl package is older than the release that fixed a vulnerability',
    },
    {
      command: 'mig scribe -doc "$(cat modules/scribe/examples/root-password-modern-hash.json)" -onlypass',
      explains: "Hosts whose root password hash uses SHA-512 crypt or yescrypt (only the scheme's prefix is captured)",
    },
    {
      command: 'mig scribe -doc "$(cat modules/scribe/examples/sshd-permitrootlogin-disabled.json)"',
      explains: 'Hosts whose sshd_config sets PermitRootLogin no and never enables root login',
    },
  ],
});
