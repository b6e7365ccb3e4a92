import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { definedOnly, flagAs, flagFor } from '../shared/param-help.js';
import { SIZE_UNITS } from '../shared/search/param-values.js';
import { memoryOptions, memoryParams } from './params.js';

/**
 * The memory module's self-description: MIG's memory module (which processes run this name,
 * map this library, or hold this string or these bytes in memory), answering with the process
 * id and name and which checks matched: never memory contents.
 */

export const memoryRow = z.strictObject({
  pid: z.number().int().positive().describe('Process id'),
  name: z.string().describe('Process name (its comm, as ps shows it)'),
  matched: z.array(z.string()).describe('The checks that matched, e.g. name:^nginx$ or content:stratum\\+tcp'),
  bytesScanned: z.number().int().nonnegative().describe('Bytes of the process memory read to answer'),
});

const ADDRESS = /^(0[xX][0-9a-fA-F]{1,16}|\d{1,20})$/;
const SIZE = /^(\d{1,20})([kKmMgGtT]?)$/;

/** `0x7f00...` or decimal: investigators copy addresses from /proc/<pid>/maps. */
export function parseAddress(text: string): number {
  // Number() reads 0x/0X hex and decimal alike; past 2^53 the params schema refuses it.
  return Number(text);
}

/** `64m` → 67108864 (k, m, g, t are powers of 1024, as in the file module's sizes). */
export function parseSizeBytes(text: string): number {
  const m = SIZE.exec(text);
  return Number(m?.[1] ?? Number.NaN) * (SIZE_UNITS[(m?.[2] ?? '').toLowerCase()] ?? Number.NaN);
}

const repeat = 'repeat for several';

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/**
 * MIG's own flags (mig memory -name ... -content ...). Each takes its help and default from the
 * parameter it sets (modules/shared/param-help.ts); -offset and -maxlength have their own text
 * syntax (an address as /proc/<pid>/maps writes it, a byte count like 64m), toParams reads it.
 */
const memoryCli = z.strictObject({
  name: flagFor(memoryParams, 'names', repeat),
  lib: flagFor(memoryParams, 'libraries', repeat),
  content: flagFor(memoryParams, 'contents', repeat),
  bytes: flagFor(memoryParams, 'bytes', repeat),
  matchall: flagFor(memoryOptions, 'matchall'),
  matchany: flagFor(memoryOptions, 'matchany'),
  offset: flagAs(
    z.string().regex(ADDRESS, 'expected an address like 0x7f0000000000 or a decimal number').optional(),
    memoryOptions,
    'offset',
    'hex with 0x, or decimal',
  ),
  maxlength: flagAs(
    z.string().regex(SIZE, 'expected a byte count like 1048576 or 64m (k, m, g, t)').optional(),
    memoryOptions,
    'maxlength',
    'e.g. 64m (k, m, g, t are powers of 1024)',
  ),
  logfailures: flagFor(memoryOptions, 'logfailures'),
  pid: flagFor(memoryParams, 'pids', repeat),
});

type MemoryCli = z.output<typeof memoryCli>;

function toParams(values: MemoryCli): z.input<typeof memoryParams> {
  const lists = {
    names: values.name,
    libraries: values.lib,
    contents: values.content,
    bytes: values.bytes,
    pids: values.pid,
  };
  const options = {
    // MIG's command line turns matchall on unless -matchany is given.
    matchall: values.matchall ?? (values.matchany === true ? undefined : true),
    matchany: values.matchany,
    offset: values.offset === undefined ? undefined : parseAddress(values.offset),
    maxlength: values.maxlength === undefined ? undefined : parseSizeBytes(values.maxlength),
    logfailures: values.logfailures,
  };
  return { ...definedOnly(lists), options: definedOnly(options) };
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const memoryModule = defineModule({
  name: 'memory',
  version: '1.0.0',
  summary: 'Find processes by name, mapped library, or strings and bytes in their memory (MIG memory module)',
  platforms: ['linux'],
  params: memoryParams,
  result: memoryRow,
  columns: [
    { key: 'pid', header: 'PID', align: 'right' },
    { key: 'name', header: 'NAME' },
    { key: 'matched', header: 'MATCHED' },
    { key: 'bytesScanned', header: 'SCANNED', align: 'right', isBytes: true },
  ],
  cli: { schema: memoryCli, flags: { lib: { param: 'libraries' }, pid: { isHidden: true } }, toParams },
  // Alike on purpose (duplicates): caps, timeout and example commands are this module's own data (a memory scan may
  // take ten minutes); netstat and pkg declare the same fields with their own values.
  // Nothing masked. Process ids and names are the answer: masking them would leave nothing to act on.
  privacy: { maxRows: 20_000, maxBytes: 3 * 1024 * 1024 },
  limits: { timeoutMs: 10 * 60_000 },
  examples: [
    {
      command: 'mig memory -name "^sshd$" -lib "libkeyutils\\.so\\.1\\.9"',
      explains: 'sshd processes that loaded the fake libkeyutils of the Ebury backdoor',
    },
    {
      command: 'mig memory -content "stratum\\+(tcp|ssl)://" -maxlength 512m',
      explains: 'Processes holding a mining-pool URL (a cryptominer), reading at most 512 MiB of each',
    },
    {
      command: 'mig memory -name "^java$" -content "\\$\\{jndi:(ldap|rmi|dns)://" -logfailures',
      explains: 'JVMs holding a Log4Shell lookup string, listing what could not be read',
    },
    {
      command: 'mig memory -name "^nginx$" -bytes 6d69672e6d6f7a696c6c612e6f7267 -matchany',
      explains: 'nginx processes, and any process holding the bytes of mig.mozilla.org; rows say which matched',
    },
  ],
});
