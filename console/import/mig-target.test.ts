import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TargetError, parseTarget } from '../../protocol/target/index.js';
import { translateMigTarget } from './mig-target.js';
import { thrownBy } from '../../test/helpers/error-code.js';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/mig-actions');

/** The translation is the one expected, and our own target parser accepts it. */
function translatesToValidTarget({ input, want }: { input: string; want: string }): void {
  const got = translateMigTarget(input);
  expect(got).toBe(want);
  expect(() => parseTarget(got)).not.toThrow();
}

describe('translateMigTarget', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the table's.
  it.each([
    { name: 'status', input: "status='online'", want: "status = 'online'" },
    { name: 'environment os becomes the os field', input: "environment->>'os'='linux'", want: "os = 'linux'" },
    {
      name: 'environment arch becomes the arch field',
      input: "environment->>'arch' = 'amd64'",
      want: "arch = 'amd64'",
    },
    {
      name: 'other environment keys stay',
      input: "environment->>'ident' ILIKE '%ubuntu%'",
      want: "environment->>'ident' ilike '%ubuntu%'",
    },
    { name: 'tags', input: "tags->>'operator'='IT'", want: "tags->>'operator' = 'IT'" },
    { name: 'name like', input: "name like '%web%'", want: "name like '%web%'" },
    { name: 'agents. prefix', input: "agents.queueloc like 'linux.%'", want: "queueloc like 'linux.%'" },
    { name: 'mode', input: "MODE='daemon'", want: "mode = 'daemon'" },
    {
      name: 'heartbeattime',
      input: "heartbeattime > '2015-01-01T00:00:00Z'",
      want: "heartbeat > '2015-01-01T00:00:00Z'",
    },
    { name: 'agents.heartbeattime', input: "agents.heartbeattime >= '2015-01-01'", want: "heartbeat >= '2015-01-01'" },
    // Alike on purpose (duplicates): one row per target translation: the MIG text and ours, written out so each reads
    // as a before and after.
    {
      name: 'keyword words inside strings are left alone',
      input: "name = 'select now() heartbeattime::x'",
      want: "name = 'select now() heartbeattime::x'",
    },
    {
      name: 'keywords in any case, in-lists, and/or/not',
      input: "environment->>'os' In ('linux','darwin') AnD NOT (mode='daemon' Or name NOT LIKE 'x%')",
      want: "os in ('linux', 'darwin') and not (mode = 'daemon' or name not like 'x%')",
    },
  ])('$name', translatesToValidTarget);

  it.each([
    {
      name: 'subquery',
      input: "id IN (select agentid from commands where actionid=1234 and status='success')",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: 'a subquery (SELECT',
    },
    {
      name: 'cast',
      input: "environment->>'isproxied'::bool = true",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: 'a type cast (::) at column 26',
    },
    {
      name: 'NOW()',
      input: "heartbeattime > NOW() - interval '5 minutes'",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: 'NOW() at column 17',
    },
    {
      name: 'interval',
      input: "heartbeattime > '2015-01-01' - interval '1 day'",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: 'interval arithmetic',
    },
    {
      name: 'other function',
      input: "lower(name) = 'web'",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: 'the function lower()',
    },
    {
      name: 'quoted identifier',
      input: `"name" = 'web'`,
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: 'double-quoted identifier',
    },
    {
      name: 'IS NULL',
      input: "tags->>'x' IS NOT NULL",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: "'IS NOT NULL'",
    },
    {
      name: 'MIG agent id',
      input: 'id = 1234',
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: "MIG's agent ids do not carry over",
    },
    {
      name: 'unknown MIG column',
      input: 'pid > 100',
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: "unknown field 'pid' at column 1",
    },
    {
      name: 'syntax we lack',
      input: "name = 'a' || 'b'",
      wantCode: 'TARGET_UNSUPPORTED_MIG',
      wantMessage: "unexpected character '|' at column 12",
    },
  ])('refuses $name', ({ input, wantCode, wantMessage }) => {
    const err = thrownBy(TargetError, () => translateMigTarget(input));
    expect(err.code).toBe(wantCode);
    expect(err.message).toContain(wantMessage);
    expect(err.message).toContain("pass it explicitly with -t '<target>'");
  });

  // The targets of test/fixtures/mig-actions, inlined so the test runs without that tree.
  it.each([
    {
      name: 'example_v2.json',
      input: "queueloc LIKE 'linux.%' AND environment->>'ident' ILIKE '%ubuntu%'",
      want: "queueloc like 'linux.%' and environment->>'ident' ilike '%ubuntu%'",
    },
    { name: 'integration_tests.json', input: "environment->>'os'='linux'", want: "os = 'linux'" },
    {
      name: 'linux-backdoor-kanada-team-binaries.json',
      input: "agents.queueloc like 'linux.%'",
      want: "queueloc like 'linux.%'",
    },
    {
      name: 'shellshock_iocs.json',
      input: "environment->>'os' IN ('linux','darwin') AND mode='daemon'",
      want: "os in ('linux', 'darwin') and mode = 'daemon'",
    },
  ])('translates the target of MIG fixture $name', translatesToValidTarget);

  // And every MIG fixture in the repository, so new fixtures are covered too.
  const fixtures = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
  it('finds the MIG fixtures', () => expect(fixtures.length).toBeGreaterThan(0));
  it.each(fixtures)('translates the target of MIG fixture %s', (file) => {
    const action: unknown = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
    const target = typeof action === 'object' && action !== null && 'target' in action ? action.target : undefined;
    expect(typeof target).toBe('string');
    expect(() => parseTarget(translateMigTarget(String(target)))).not.toThrow();
  });
});
