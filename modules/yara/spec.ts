import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { yaraParams } from './params.js';

/**
 * The yara module's self-description: scan files with the investigator's YARA rules (the
 * YARA-X engine, as WebAssembly) and answer which rule matched which file. Never the file's
 * bytes, never the matched strings or their offsets.
 */

export const yaraRow = z.strictObject({
  path: z.string().describe('Path of the matching file on the endpoint'),
  rule: z.string().describe('Identifier of the rule that matched'),
  namespace: z
    .string()
    .optional()
    .describe('Namespace of the rule (ns1, ns2, ...) when several rule sources were given'),
  tags: z.array(z.string()).describe('Tags of the rule that matched'),
  size: z.number().int().nonnegative().describe('Size in bytes'),
  mtime: z.iso.datetime().describe('Last modification time'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const yaraCli = z.strictObject({
  rules: z
    .array(z.string())
    .describe(paramHelp(yaraParams, 'rules', 'e.g. "$(cat rules.yar)"; repeat for several rule files')),
  path: z.array(z.string()).describe(paramHelp(yaraParams, 'paths', 'repeat for several')),
  maxdepth: z
    .number()
    .int()
    .optional()
    .describe(paramHelp(yaraParams, 'maxdepth', 'default 1000')),
  maxfilesize: z.number().int().optional().describe(paramHelp(yaraParams, 'maxfilesize')),
  name: z.string().optional().describe(paramHelp(yaraParams, 'name')),
  matchlimit: z
    .number()
    .int()
    .optional()
    .describe(paramHelp(yaraParams, 'matchlimit', 'default 1000')),
});

type YaraCli = z.output<typeof yaraCli>;

function toParams(values: YaraCli): z.input<typeof yaraParams> {
  const params: z.input<typeof yaraParams> = { rules: values.rules, paths: values.path };
  if (values.maxdepth !== undefined) params.maxdepth = values.maxdepth;
  if (values.maxfilesize !== undefined) params.maxfilesize = values.maxfilesize;
  if (values.name !== undefined) params.name = values.name;
  if (values.matchlimit !== undefined) params.matchlimit = values.matchlimit;
  return params;
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const yaraModule = defineModule({
  name: 'yara',
  version: '1.0.0',
  summary: 'Scan files with YARA rules (YARA-X) and report which rule matched which file',
  platforms: ['linux', 'darwin'],
  params: yaraParams,
  result: yaraRow,
  columns: [
    { key: 'path', header: 'PATH' },
    { key: 'rule', header: 'RULE' },
    { key: 'namespace', header: 'NAMESPACE', isWide: true },
    { key: 'tags', header: 'TAGS' },
    { key: 'size', header: 'SIZE', align: 'right', isBytes: true },
    { key: 'mtime', header: 'MODIFIED', isTime: true },
  ],
  cli: { schema: yaraCli, flags: {}, toParams },
  // Nothing masked. Paths are the answer; rule names and tags are the investigator's own words.
  privacy: { maxRows: 20_000, maxBytes: 3 * 1024 * 1024 },
  limits: { timeoutMs: 30 * 60_000 },
  examples: [
    {
      command: 'mig yara -rules "$(cat webshells.yar)" -path /var/www -name "\\.(php|jsp|aspx?)$" -maxfilesize 1048576',
      explains: 'Web shells among the scripts under the web root, read only when under 1 MiB',
    },
    {
      command: `mig yara -rules 'rule xmrig : miner { strings: $a = "stratum+tcp://" $b = { 78 6D 72 69 67 } condition: $a and $b }' -path /tmp -path /var/tmp -path /dev/shm`,
      explains: 'Which hosts hold an XMRig-like miner in a world-writable directory?',
    },
    {
      command:
        'mig yara -rules "$(cat elf-implants.yar)" -rules "$(cat loaders.yar)" -path /usr/bin -path /usr/sbin -maxdepth 0 -matchlimit 50',
      explains: 'Two rule files (namespaces ns1 and ns2) over the system binaries, at most 50 hits per host',
    },
  ],
});
