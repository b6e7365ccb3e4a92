import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnsignedActionSchema } from '../../protocol/action.js';
import { UserError } from '../../protocol/errors.js';
import { getModuleSpec, moduleSpecs } from '../../modules/registry.js';
import { importMigAction, type ImportMigOptions } from './mig-action.js';
import { thrownBy } from '../../test/helpers/error-code.js';

/** Shapes written for this test. */
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** MIG's own published actions, kept once in the repository (copied from the project's shared fixtures). */
const MIG_ACTIONS = fileURLToPath(new URL('../../test/fixtures/mig-actions/', import.meta.url));
const now = new Date('2025-01-01T00:00:00Z');

function fixture(file: string): unknown {
  const dir = existsSync(`${FIXTURES}${file}`) ? FIXTURES : MIG_ACTIONS;
  return JSON.parse(readFileSync(`${dir}${file}`, 'utf8'));
}

interface Outcome {
  /** Exact warnings, in order. */
  warnings?: string[];
  target?: string;
  description?: string;
  threat?: Record<string, string>;
  /** Modules of the imported operations, in order (default: the one file operation). */
  modules?: string[];
  /** Search labels of the file operation and, per label, options that must be set. */
  searches?: Record<string, Record<string, unknown>>;
  /** Exact parameters (defaults filled in) of every operation but the file one, in order. */
  others?: Record<string, unknown>[];
  wantCode?: string;
  /** Exact message lines. */
  wantLines?: string[];
  wantHint?: string;
}

interface FixtureCase extends Outcome {
  name: string;
  file: string;
  opts?: Partial<ImportMigOptions>;
}

/** Operation `index` of a fixture, as written. */
function asWritten(file: string, index: number): Record<string, unknown> {
  return (
    (fixture(file) as { operations: { parameters: Record<string, unknown> }[] }).operations[index]?.parameters ?? {}
  );
}

const SKIP = { skipUnsupported: true };
// Built from the registry: the message must name every module there is, not a list frozen in time.
const AVAILABLE = [...moduleSpecs.keys()].sort().join(', ');
const NO_SUCH_MODULE = `module nosuchmodule is not available here (available: ${AVAILABLE})`;
const AGENTDESTROY =
  "module agentdestroy is not imported: MIG's upgrade protocol ran it to kill an older agent process (parameters.pid, parameters.version), which has no equivalent here";
const UPGRADE =
  "module upgrade is not imported: MIG's upgrade protocol ran it to download and start a new agent binary; upgrade agents with the tooling that deployed them";
const ANY = { matchany: true };
const ALL = { matchall: true };
const UNSUPPORTED_HINT = 'remove these operations or pass --skip-unsupported';
const PARAMETERS_HINT = 'fix these parameters in the MIG file';
const BAD_FILE_PARAMS =
  'operations[0] (file): parameters.searches.s1.paths.0: expected an absolute path (starting with /), got "etc"; parameters.searches.s1.sha2.0: expected 64, 96 or 128 hex chars (sha256/384/512), got 40; did you pass a sha1 (use sha1)?';
const BAD_NETSTAT_PARAMS =
  'operations[1] (netstat): parameters.connectedip.1: expected an IPv4 or IPv6 address or CIDR (10.0.0.0/8, 2001:db8::/32), got "10.0.0.300"; parameters.listeningport.0: Too big: expected number to be <=65535';
const BAD_PING_PARAMS = 'operations[2] (ping): parameters.destinationport: tcp ping needs a destination port (1-65535)';
const EXAMPLE_TARGET = `target: translated "queueloc LIKE 'linux.%' AND environment->>'ident' ILIKE '%ubuntu%'" to "queueloc like 'linux.%' and environment->>'ident' ilike '%ubuntu%'"`;
const SHELLSHOCK_TARGET = `target: translated "environment->>'os' IN ('linux','darwin') AND mode='daemon'" to "os in ('linux', 'darwin') and mode = 'daemon'"`;
const SHELLSHOCK_MATCHANY =
  'operations[0] (file): search iocs: without matchall MIG reports files matching any of its 9 filter values: set options.matchany';
const INTEGRATION = {
  file: 'integration_tests.json',
  target: "os = 'linux'",
  description: 'author: Julien Vehent <ulfr@mozilla.com>; revision: 201409031000',
  threat: { level: '-', family: 'test' },
  modules: ['file', 'netstat', 'ping', 'timedrift'],
  searches: { sshnotmatch: ALL, yumshouldmatch: ALL, etcshouldmatch: ALL, shadownotmatch: ALL, shadowmatch: ALL },
  others: [
    // MIG wrote ports as strings; ours are numbers.
    { ...asWritten('integration_tests.json', 1), listeningport: [22] },
    asWritten('integration_tests.json', 2),
    // MIG's timedrift stopped at the first server that answered, as ours does by default.
    { drift: '60s', all: false, timeout: 5 },
  ],
  warnings: [`target: translated "environment->>'os'='linux'" to "os = 'linux'"`],
};

// Alike on purpose (duplicates): one case a MIG fixture file; rows of one file differ only in what they check.
const cases: FixtureCase[] = [
  {
    name: 'example_v2: MIG-only agentdestroy refused',
    file: 'example_v2.json',
    wantCode: 'UNKNOWN_MODULE',
    wantLines: [`operations[2] (agentdestroy): ${AGENTDESTROY}`],
    wantHint: UNSUPPORTED_HINT,
  },
  {
    name: 'example_v2 skipping unsupported: file and netstat kept',
    file: 'example_v2.json',
    opts: SKIP,
    target: "queueloc like 'linux.%' and environment->>'ident' ilike '%ubuntu%'",
    description:
      'author: Julien Vehent <jvehent@mozilla.com>; url: https://example.net/url_to_something#useful; revision: 201409021000',
    threat: { level: 'alert', family: 'malware', type: 'system' },
    modules: ['file', 'netstat'],
    searches: { s1: ALL, s2: ALL, s3: ANY, s4: ALL, s5: ANY, s6: ALL, s7: ALL },
    others: [{ ...asWritten('example_v2.json', 1), listeningport: [631] }],
    warnings: [
      EXAMPLE_TARGET,
      `skipped operations[2] (agentdestroy): ${AGENTDESTROY}`,
      'operations[0] (file): search s3: without matchall MIG reports files matching any of its 3 filter values: set options.matchany',
    ],
  },
  { name: 'integration_tests: netstat, ping and timedrift import as written', ...INTEGRATION },
  { name: 'integration_tests: nothing to skip', ...INTEGRATION, opts: SKIP },
  {
    name: 'linux backdoor: imports, duplicates dropped, match-any kept',
    file: 'linux-backdoor-kanada-team-binaries.json',
    target: "queueloc like 'linux.%'",
    description: 'author: Julien Vehent <jvehent@mozilla.com>; revision: 201402231700',
    threat: { level: 'alert', family: 'backdoor' },
    searches: { backdooredbinaries: ANY },
    warnings: [
      `target: translated "agents.queueloc like 'linux.%'" to "queueloc like 'linux.%'"`,
      'operations[0] (file): search backdooredbinaries: removed 3 duplicate sha2 values',
      'operations[0] (file): search backdooredbinaries: without matchall MIG reports files matching any of its 30 filter values: set options.matchany',
    ],
  },
  // Alike on purpose (duplicates): the same MIG file imported with and without a target override: both expected
  // actions written in full so they compare field by field.
  {
    name: 'shellshock: file and netstat import, target translated',
    file: 'shellshock_iocs.json',
    target: "os in ('linux', 'darwin') and mode = 'daemon'",
    description: 'author: Julien Vehent <ulfr@mozilla.com>; revision: 201410031030',
    threat: { level: 'high', family: 'malware' },
    modules: ['file', 'netstat'],
    searches: { iocs: ANY },
    others: [asWritten('shellshock_iocs.json', 1)],
    warnings: [SHELLSHOCK_TARGET, SHELLSHOCK_MATCHANY],
  },
  {
    name: 'shellshock with our own target',
    file: 'shellshock_iocs.json',
    opts: { target: "os = 'linux'" },
    target: "os = 'linux'",
    description: 'author: Julien Vehent <ulfr@mozilla.com>; revision: 201410031030',
    threat: { level: 'high', family: 'malware' },
    modules: ['file', 'netstat'],
    searches: { iocs: ANY },
    others: [asWritten('shellshock_iocs.json', 1)],
    warnings: [SHELLSHOCK_MATCHANY],
  },
  {
    name: 'a made-up module and MIG-only upgrade refused, all listed',
    file: 'unsupported-modules.json',
    wantCode: 'UNKNOWN_MODULE',
    wantLines: [`operations[0] (upgrade): ${UPGRADE}`, `operations[2] (nosuchmodule): ${NO_SUCH_MODULE}`],
    wantHint: UNSUPPORTED_HINT,
  },
  {
    name: 'a made-up module and MIG-only upgrade skipped, module names read case-insensitively',
    file: 'unsupported-modules.json',
    opts: SKIP,
    target: "os = 'linux'",
    modules: ['timedrift', 'netstat'],
    others: [{ drift: '5s', all: false, timeout: 5 }, { listeningport: [22] }],
    warnings: [
      `target: translated "os='linux'" to "os = 'linux'"`,
      `skipped operations[0] (upgrade): ${UPGRADE}`,
      `skipped operations[2] (nosuchmodule): ${NO_SUCH_MODULE}`,
    ],
  },
  {
    name: 'legacy file shapes converted, server fields ignored',
    file: 'legacy-file-shapes.json',
    target: "os = 'linux' and tags->>'operator' = 'IT'",
    description: 'author: An Investigator <inv@example.net>',
    threat: { level: 'info', family: 'compliance' },
    searches: {
      oldhashes: { matchall: true, maxdepth: 3, matchlimit: 50 },
      mismatchstring: { macroal: true, mismatch: ['content'] },
    },
    warnings: [
      "ignored MIG fields: counters, id, pgpsignatures, status (server state and MIG's signatures do not carry over)",
      `target: translated "os='linux' AND tags->>'operator'='IT'" to "os = 'linux' and tags->>'operator' = 'IT'"`,
      'operations[0] (file): search oldhashes: moved sha256 to sha2 (MIG now picks the hash size from its length)',
      'operations[0] (file): search oldhashes: moved sha3_512 to sha3 (MIG now picks the hash size from its length)',
      'operations[0] (file): search oldhashes: read options.maxdepth "3" as the number 3',
      'operations[0] (file): search oldhashes: read options.matchall "true" as the boolean true',
      'operations[0] (file): search oldhashes: read options.matchlimit "50" as the number 50',
      'operations[0] (file): search mismatchstring: read options.macroal "true" as the boolean true',
      'operations[0] (file): search mismatchstring: read options.mismatch "content" as the list ["content"]',
      'threat: ignored fields source',
    ],
  },
  {
    name: 'filechecker converted to file searches',
    file: 'legacy-filechecker.json',
    target: "queueloc like 'linux.%'",
    searches: { badbin: ANY, root_entry: ANY, cron: ANY },
    warnings: [
      'no syntaxversion: read as syntaxversion 2',
      `target: translated "queueloc LIKE 'linux.%'" to "queueloc like 'linux.%'"`,
      "operations[0] (filechecker → file): converted MIG's retired filechecker module to file (3 searches)",
      'operations[0] (filechecker → file): search cron: filename regex now matches the base name, not the full path',
    ],
  },
  {
    name: 'filechecker checks that cannot convert',
    file: 'legacy-filechecker-fullpath.json',
    opts: SKIP,
    wantCode: 'INVALID_PARAMETERS',
    wantLines: [
      'operations[0] (filechecker): check /etc filename passwd: the regex matches a full path, which a file search name (base name only) cannot express',
      'operations[0] (filechecker): check /etc sha512 empty: expected a list of strings',
    ],
    wantHint: PARAMETERS_HINT,
  },
  {
    name: 'invalid parameters of several modules and a missing module: all reported in order',
    file: 'invalid-parameters.json',
    wantCode: 'INVALID_PARAMETERS',
    wantLines: [
      BAD_FILE_PARAMS,
      BAD_NETSTAT_PARAMS,
      BAD_PING_PARAMS,
      `operations[3] (nosuchmodule): ${NO_SUCH_MODULE}`,
    ],
    wantHint:
      'fix these parameters in the MIG file, and remove the operations of missing modules or pass --skip-unsupported',
  },
  {
    name: 'invalid parameters are never skipped',
    file: 'invalid-parameters.json',
    opts: SKIP,
    wantCode: 'INVALID_PARAMETERS',
    wantLines: [BAD_FILE_PARAMS, BAD_NETSTAT_PARAMS, BAD_PING_PARAMS],
    wantHint: PARAMETERS_HINT,
  },
  {
    name: 'a target needing PostgreSQL is refused',
    file: 'subquery-target.json',
    wantCode: 'TARGET_UNSUPPORTED_MIG',
    wantLines: [
      `MIG target "id IN (select agentid from commands, json_array_elements(commands.results) as r where actionid=1234 and r#>>'{foundanything}' = 'true')": a subquery (SELECT; to re-target an earlier action's hits use found('<actionId>')) at column 8 is not supported; write the target in our language and pass it explicitly with -t '<target>'`,
    ],
    wantHint: "write the target in our language and pass it with -t '<target>'",
  },
  {
    name: 'a target needing PostgreSQL, replaced with -t',
    file: 'subquery-target.json',
    opts: { target: "found('0123456789abcdef0123456789abcdef')" },
    target: "found('0123456789abcdef0123456789abcdef')",
    searches: { s1: ALL },
    warnings: [],
  },
  {
    name: 'a window long past is moved to now',
    file: 'past-window.json',
    target: "mode = 'daemon'",
    searches: { s1: ALL },
    warnings: [
      `target: translated "mode='daemon'" to "mode = 'daemon'"`,
      'expireafter 2014-09-02T15:44:57.123Z is already past: valid from now for 60 minutes instead',
    ],
  },
];

function expectImported(c: FixtureCase): void {
  const { action, warnings } = importMigAction(fixture(c.file), { now, ...c.opts });
  expect(warnings).toEqual(c.warnings);
  expect(action.target).toBe(c.target);
  expect(action.description).toBe(c.description);
  expect(action.threat).toEqual(c.threat);
  expect(UnsignedActionSchema.safeParse(action).success).toBe(true);
  expect(action.operations.map((op) => op.module)).toEqual(c.modules ?? ['file']);
  for (const op of action.operations) {
    // What gets signed must validate again, unchanged, on the agent.
    expect(getModuleSpec(op.module)?.params.safeParse(op.parameters).data, op.module).toEqual(op.parameters);
  }
  expect(action.operations.filter((op) => op.module !== 'file').map((op) => op.parameters)).toEqual(c.others ?? []);
  const fileOp = action.operations.find((op) => op.module === 'file');
  const searches =
    (fileOp?.parameters as { searches: Record<string, { options: Record<string, unknown> }> } | undefined)?.searches ??
    {};
  expect(Object.keys(searches).sort()).toEqual(Object.keys(c.searches ?? {}).sort());
  for (const [label, options] of Object.entries(c.searches ?? {}))
    expect(searches[label]?.options).toMatchObject(options);
}

function expectRefused(c: FixtureCase): void {
  const err = thrownBy(UserError, () => importMigAction(fixture(c.file), { now, ...c.opts }));
  expect(err.code).toBe(c.wantCode);
  expect(err.message.split('\n')).toEqual(c.wantLines);
  expect(err.hint).toBe(c.wantHint);
}

describe('importMigAction over every fixture', () => {
  it.each(cases)('$name', (c) => {
    if (c.wantCode === undefined) expectImported(c);
    else expectRefused(c);
  });

  it('covers every fixture file', () => {
    const files = [...readdirSync(FIXTURES), ...readdirSync(MIG_ACTIONS)].filter((f) => f.endsWith('.json'));
    expect(new Set(cases.map((c) => c.file))).toEqual(new Set(files));
  });
});
