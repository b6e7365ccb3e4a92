import {
  ACTION_LIMITS,
  CLOCK_SKEW,
  DEFAULT_EXPIRY,
  MAX_SIGNED_PART_BYTES,
  RESPONSE_MODULES,
  formatDuration,
} from './limits.js';

/** Marks the generated block in doc/concepts.md. */
export const LIMITS_BEGIN = '<!-- limits: generated from protocol/limits.ts by scripts/gen-limits-doc.ts -->';
export const LIMITS_END = '<!-- /limits -->';

const kib = (bytes: number): string => `${bytes / 1024} KiB (${bytes} bytes)`;

/** The limits table of doc/concepts.md, from the constants themselves: who checks what, where. */
export function limitsTable(): string {
  const rows: [string, string, string, string][] = [
    [
      'what is signed (the action without `signatures`, JSON, UTF-8)',
      kib(MAX_SIGNED_PART_BYTES),
      'CLI, console, server',
      '`PAYLOAD_TOO_LARGE`',
    ],
    [
      'the whole action with its signatures',
      kib(ACTION_LIMITS.maxActionBytes),
      'server (submit, co-sign), agent',
      '`PAYLOAD_TOO_LARGE`',
    ],
    ['operations per action', String(ACTION_LIMITS.maxOperations), 'everyone (schema)', '`MALFORMED_ACTION`'],
    [
      'signatures per action',
      String(ACTION_LIMITS.maxSignatures),
      'everyone (schema), server at co-sign',
      '`MALFORMED_ACTION`, `BAD_REQUEST`',
    ],
    ['target length', `${ACTION_LIMITS.maxTargetChars} characters`, 'everyone (schema)', '`MALFORMED_ACTION`'],
    [
      'validity window (expireAfter − validFrom)',
      `at most ${formatDuration(ACTION_LIMITS.maxValidityMs)}`,
      'CLI `-e`, console, server, agent',
      '`VALIDITY_TOO_LONG`',
    ],
    [
      'shortest window the CLI and console sign',
      formatDuration(ACTION_LIMITS.minValidityMs),
      'CLI `-e`, console',
      '(flag error)',
    ],
    [
      'validFrom ahead of the server clock',
      `at most ${formatDuration(ACTION_LIMITS.maxStartAheadMs)}`,
      'CLI, console, server',
      '`VALID_FROM_TOO_FAR`',
    ],
    [
      'clock skew an agent tolerates at both ends of the window',
      `${formatDuration(CLOCK_SKEW.defaultMs)} (agent config \`maxClockSkewMs\`, at most ${formatDuration(CLOCK_SKEW.maxMs)})`,
      'agent',
      '`NOT_YET_VALID`, `EXPIRED`',
    ],
    [
      'module parameters',
      "the module's spec schema",
      'CLI, console, server (submit, co-sign), agent',
      '`INVALID_PARAMETERS`, `UNKNOWN_MODULE`',
    ],
  ];
  return [
    LIMITS_BEGIN,
    '| limit | value | checked by | refusal |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Default expiry: \`${DEFAULT_EXPIRY}\`. Response modules (two signatures by default): ${RESPONSE_MODULES.map((m) => `\`${m}\``).join(', ')}.`,
    LIMITS_END,
  ].join('\n');
}

/** `doc` with its generated block replaced by the current table. */
export function withLimitsTable(doc: string): string {
  const start = doc.indexOf(LIMITS_BEGIN);
  const end = doc.indexOf(LIMITS_END);
  if (start < 0 || end < start) throw new Error(`the doc has no ${LIMITS_BEGIN} … ${LIMITS_END} block`);
  return `${doc.slice(0, start)}${limitsTable()}${doc.slice(end + LIMITS_END.length)}`;
}
