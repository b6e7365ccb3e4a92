import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnsignedActionSchema } from '../../protocol/action.js';
import { UserError } from '../../protocol/errors.js';
import { getModuleSpec } from '../../modules/registry.js';
import { importMigAction, type ImportMigOptions } from './mig-action.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
// CI clones main with shared/ beside it; the copies here must not drift from the originals.
const SHARED = fileURLToPath(new URL('../../../shared/fixtures/mig-actions/', import.meta.url));
const now = new Date('2025-01-01T00:00:00Z');
const in1h = '2025-01-01T01:00:00.000Z';

function fixture(file: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURES}${file}`, 'utf8'));
}

interface Outcome {
  /** Exact warnings, in order. */
  warnings?: string[];
  target?: string;
  description?: string;
  threat?: Record<string, string>;
  /** Search labels of the one file operation and, per label, options that must be set. */
  searches?: Record<string, Record<string, unknown>>;
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

const SKIP = { skipUnsupported: true };
const NETSTAT = 'module netstat is not available here (available: file)';
const ANY = { matchany: true };
const ALL = { matchall: true };
const UNSUPPORTED_HINT = 'remove these operations or pass --skip-unsupported';

const cases: FixtureCase[] = [
  {
    name: 'example_v2: unsupported modules all listed',
    file: 'example_v2.json',
    wantCode: 'UNKNOWN_MODULE',
    wantLines: [`operations[1] (netstat): ${NETSTAT}`, 'operations[2] (agentdestroy): module agentdestroy was retired by MIG: agents are removed with the tooling that deployed them'],
    wantHint: UNSUPPORTED_HINT,
  },
  {
    name: 'example_v2 skipping unsupported',
    file: 'example_v2.json',
    opts: SKIP,
    target: "queueloc like 'linux.%' and environment->>'ident' ilike '%ubuntu%'",
    description: 'author: Julien Vehent <jvehent@mozilla.com>; url: https://example.net/url_to_something#useful; revision: 201409021000',
    threat: { level: 'alert', family: 'malware', type: 'system' },
    searches: { s1: ALL, s2: ALL, s3: ANY, s4: ALL, s5: ANY, s6: ALL, s7: ALL },
    warnings: [
      `target: translated "queueloc LIKE 'linux.%' AND environment->>'ident' ILIKE '%ubuntu%'" to "queueloc like 'linux.%' and environment->>'ident' ilike '%ubuntu%'"`,
      `skipped operations[1] (netstat): ${NETSTAT}`,
      'skipped operations[2] (agentdestroy): module agentdestroy was retired by MIG: agents are removed with the tooling that deployed them',
      'operations[0] (file): search s3: without matchall MIG reports files matching any of its 3 filter values: set options.matchany',
    ],
  },
  {
    name: 'integration_tests: three unsupported modules',
    file: 'integration_tests.json',
    wantCode: 'UNKNOWN_MODULE',
    wantLines: [
      `operations[1] (netstat): ${NETSTAT}`,
      'operations[2] (ping): module ping is not available here (available: file)',
      'operations[3] (timedrift): module timedrift is not available here (available: file)',
    ],
    wantHint: UNSUPPORTED_HINT,
  },
  {
    name: 'integration_tests skipping unsupported, environment os becomes os',
    file: 'integration_tests.json',
    opts: SKIP,
    target: "os = 'linux'",
    description: 'author: Julien Vehent <ulfr@mozilla.com>; revision: 201409031000',
    threat: { level: '-', family: 'test' },
    searches: { sshnotmatch: ALL, yumshouldmatch: ALL, etcshouldmatch: ALL, shadownotmatch: ALL, shadowmatch: ALL },
    warnings: [
      `target: translated "environment->>'os'='linux'" to "os = 'linux'"`,
      `skipped operations[1] (netstat): ${NETSTAT}`,
      'skipped operations[2] (ping): module ping is not available here (available: file)',
      'skipped operations[3] (timedrift): module timedrift is not available here (available: file)',
    ],
  },
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
  {
    name: 'shellshock: netstat unsupported',
    file: 'shellshock_iocs.json',
    wantCode: 'UNKNOWN_MODULE',
    wantLines: [`operations[1] (netstat): ${NETSTAT}`],
    wantHint: UNSUPPORTED_HINT,
  },
  {
    name: 'shellshock skipping unsupported, with our own target',
    file: 'shellshock_iocs.json',
    opts: { ...SKIP, target: "os = 'linux'" },
    target: "os = 'linux'",
    description: 'author: Julien Vehent <ulfr@mozilla.com>; revision: 201410031030',
    threat: { level: 'high', family: 'malware' },
    searches: { iocs: ANY },
    warnings: [
      `skipped operations[1] (netstat): ${NETSTAT}`,
      'operations[0] (file): search iocs: without matchall MIG reports files matching any of its 9 filter values: set options.matchany',
    ],
  },
  {
    name: 'legacy file shapes converted, server fields ignored',
    file: 'legacy-file-shapes.json',
    target: "os = 'linux' and tags->>'operator' = 'IT'",
    description: 'author: An Investigator <inv@example.net>',
    threat: { level: 'info', family: 'compliance' },
    searches: { oldhashes: { matchall: true, maxdepth: 3, matchlimit: 50 }, mismatchstring: { macroal: true, mismatch: ['content'] } },
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
    wantHint: 'fix these parameters in the MIG file',
  },
  {
    name: 'invalid parameters and an unsupported module: both reported',
    file: 'invalid-parameters.json',
    wantCode: 'INVALID_PARAMETERS',
    wantLines: [
      'operations[0] (file): parameters.searches.s1.paths.0: expected an absolute path (starting with /), got "etc"; parameters.searches.s1.sha2.0: expected 64, 96 or 128 hex chars (sha256/384/512), got 40; did you pass a sha1 (use sha1)?',
      `operations[1] (netstat): ${NETSTAT}`,
    ],
    wantHint: UNSUPPORTED_HINT,
  },
  {
    name: 'invalid parameters are never skipped',
    file: 'invalid-parameters.json',
    opts: SKIP,
    wantCode: 'INVALID_PARAMETERS',
    wantLines: [
      'operations[0] (file): parameters.searches.s1.paths.0: expected an absolute path (starting with /), got "etc"; parameters.searches.s1.sha2.0: expected 64, 96 or 128 hex chars (sha256/384/512), got 40; did you pass a sha1 (use sha1)?',
    ],
    wantHint: 'fix these parameters in the MIG file',
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
    warnings: [`target: translated "mode='daemon'" to "mode = 'daemon'"`, 'expireafter 2014-09-02T15:44:57.123Z is already past: valid from now for 60 minutes instead'],
  },
];

function expectImported(c: FixtureCase): void {
  const { action, warnings } = importMigAction(fixture(c.file), { now, ...c.opts });
  expect(warnings).toEqual(c.warnings);
  expect(action.target).toBe(c.target);
  expect(action.description).toBe(c.description);
  expect(action.threat).toEqual(c.threat);
  expect(UnsignedActionSchema.safeParse(action).success).toBe(true);
  expect(action.operations.map((op) => op.module)).toEqual(['file']);
  const parameters = action.operations[0]?.parameters;
  // What gets signed must validate again, unchanged, on the agent.
  const reparsed = getModuleSpec('file')?.params.safeParse(parameters);
  expect(reparsed?.data).toEqual(parameters);
  const searches = (parameters as { searches: Record<string, { options: Record<string, unknown> }> }).searches;
  expect(Object.keys(searches).sort()).toEqual(Object.keys(c.searches ?? {}).sort());
  for (const [label, options] of Object.entries(c.searches ?? {})) expect(searches[label]?.options).toMatchObject(options);
}

function expectRefused(c: FixtureCase): void {
  let caught: unknown;
  try {
    importMigAction(fixture(c.file), { now, ...c.opts });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UserError);
  const err = caught as UserError;
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
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(new Set(cases.map((c) => c.file))).toEqual(new Set(files));
  });

  it.skipIf(!existsSync(SHARED))('fixture copies match shared/fixtures/mig-actions', () => {
    for (const file of readdirSync(SHARED).filter((f) => f.endsWith('.json'))) {
      expect(readFileSync(`${FIXTURES}${file}`, 'utf8'), file).toBe(readFileSync(`${SHARED}${file}`, 'utf8'));
    }
  });
});

const fileOp = { module: 'file', parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'], options: { matchall: true } } } } };
const minimal = { name: 'n', target: "os='linux'", operations: [fileOp], syntaxversion: 2 };

describe('importMigAction edge cases', () => {
  it.each([
    { name: 'not an object', input: 'x', wantCode: 'BAD_REQUEST', want: /^not a MIG action: \(root\): / },
    { name: 'no operations', input: { ...minimal, operations: [] }, wantCode: 'BAD_REQUEST', want: /^not a MIG action: operations: / },
    { name: 'operation without module', input: { ...minimal, operations: [{ parameters: {} }] }, wantCode: 'BAD_REQUEST', want: /operations\.0\.module/ },
    { name: 'syntaxversion 1', input: { ...minimal, syntaxversion: 1 }, wantCode: 'BAD_REQUEST', want: /^MIG action syntaxversion 1 is not supported, expected 2$/ },
    { name: 'no target', input: { ...minimal, target: ' ' }, wantCode: 'BAD_REQUEST', want: /^the MIG action has no target$/ },
    { name: 'bad -t target', input: minimal, opts: { target: 'os = ' }, wantCode: 'TARGET_PARSE', want: /./ },
    { name: 'unparseable time', input: { ...minimal, validfrom: 'tuesday' }, wantCode: 'BAD_REQUEST', want: /^validfrom: expected an RFC 3339 time, got "tuesday"$/ },
    {
      name: 'window ends before it starts',
      input: { ...minimal, validfrom: '2025-02-01T00:00:00Z', expireafter: '2025-01-15T00:00:00Z' },
      wantCode: 'BAD_REQUEST',
      want: /^expireafter 2025-01-15T00:00:00.000Z is not after validfrom 2025-02-01T00:00:00.000Z$/,
    },
    {
      name: 'nothing left after skipping',
      input: { ...minimal, operations: [{ module: 'netstat', parameters: {} }] },
      opts: { skipUnsupported: true },
      wantCode: 'UNKNOWN_MODULE',
      want: /^no operation is left to run/,
    },
    { name: 'name too long for our actions', input: { ...minimal, name: 'x'.repeat(300) }, wantCode: 'BAD_REQUEST', want: /^not a MIG action: name: / },
    { name: 'threat field too long for our actions', input: { ...minimal, threat: { level: 'x'.repeat(65) } }, wantCode: 'BAD_REQUEST', want: /^the imported action is not valid: threat\.level: / },
  ])('refuses: $name', ({ input, opts, wantCode, want }) => {
    let caught: unknown;
    try {
      importMigAction(input, { now, ...opts });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).code).toBe(wantCode);
    expect((caught as UserError).message).toMatch(want);
  });

  it.each([
    { name: 'no times: now for an hour', input: minimal, opts: {}, want: { validFrom: now.toISOString(), expireAfter: in1h } },
    { name: 'zero times: custom expiry', input: { ...minimal, validfrom: '0001-01-01T00:00:00Z', expireafter: '0001-01-01T00:00:00Z' }, opts: { expiryMs: 600_000 }, want: { validFrom: now.toISOString(), expireAfter: '2025-01-01T00:10:00.000Z' } },
    { name: 'future start kept, expiry from it', input: { ...minimal, validfrom: '2025-01-02T00:00:00Z' }, opts: {}, want: { validFrom: '2025-01-02T00:00:00.000Z', expireAfter: '2025-01-02T01:00:00.000Z' } },
    { name: 'both set and ahead: kept', input: { ...minimal, validfrom: '2024-12-31T23:00:00-01:00', expireafter: '2025-01-03T00:00:00Z' }, opts: {}, want: { validFrom: '2025-01-01T00:00:00.000Z', expireAfter: '2025-01-03T00:00:00.000Z' } },
  ])('window: $name', ({ input, opts, want }) => {
    const { action, warnings } = importMigAction(input, { now, ...opts });
    expect({ validFrom: action.validFrom, expireAfter: action.expireAfter }).toEqual(want);
    expect(warnings).toEqual(["target: translated \"os='linux'\" to \"os = 'linux'\""]);
  });

  it('each import gets a fresh id and a string description passes through', () => {
    const a = importMigAction({ ...minimal, description: 'free text' }, { now }).action;
    const b = importMigAction(minimal, { now }).action;
    expect(a.id).not.toBe(b.id);
    expect(a.description).toBe('free text');
    expect(b.description).toBeUndefined();
  });
});
