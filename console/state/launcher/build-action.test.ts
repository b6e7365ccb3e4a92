import { describe, expect, it } from 'vitest';
import { testModules } from '../../../test/helpers/console/state/fake-modules.js';
import { makeActionRecord, T0 } from '../../../test/helpers/console/state/records.js';
import { checkDraft } from './build-action.js';
import { parseExpiry } from '../../../protocol/limits.js';
import { newLauncher, type LauncherState } from './launcher-state.js';

const base = (over: Partial<LauncherState> = {}): LauncherState => ({
  ...newLauncher(testModules, { moduleName: 'probe', actionId: 'ab'.repeat(16) }),
  values: { names: 'passwd', depth: '3', recursive: false, mode: '' },
  ...over,
});

describe('checkDraft', () => {
  it('builds the exact action: signer-chosen id, valid from now for the chosen duration', () => {
    const check = checkDraft(base({ expiry: '1h', target: "os = 'linux'", name: 'my hunt' }), testModules, T0);
    expect(check.action).toEqual({
      v: 1,
      id: 'ab'.repeat(16),
      name: 'my hunt',
      target: "os = 'linux'",
      validFrom: new Date(T0).toISOString(),
      expireAfter: new Date(T0 + 3_600_000).toISOString(),
      operations: [{ module: 'probe', parameters: { names: ['passwd'], depth: 3, recursive: false } }],
    });
  });

  it.each([
    { name: 'bad target', input: { target: "os = 'linux" }, want: 'target' },
    { name: 'bad expiry', input: { expiry: '5 minutes' }, want: 'expiry' },
    { name: 'empty name', input: { name: '  ' }, want: 'name' },
    {
      name: 'bad field',
      input: { values: { names: '', depth: '3', recursive: false, mode: '' } },
      want: 'field:names',
    },
  ])('refuses a draft with a $name, naming the row', ({ input, want }) => {
    const check = checkDraft(base(input), testModules, T0);
    expect(check.action).toBeUndefined();
    expect(Object.keys(check.rowIssues)).toEqual([want]);
  });

  it('a signed action is sent as it is, unless it has expired', () => {
    const signed = { ...makeActionRecord(1).action, expireAfter: new Date(T0 + 1000).toISOString() };
    const state = base({ source: { kind: 'signed', action: signed, from: 'x.json' } });
    expect(checkDraft(state, testModules, T0).action).toBe(signed);
    expect(checkDraft(state, testModules, T0 + 2000).problems[0]).toMatch(/expired/);
  });

  it("a template with parameters the server would refuse: the server's own words, before signing", () => {
    const operations = [{ module: 'probe', parameters: { names: [], depth: 500 } }];
    const check = checkDraft(base({ source: { kind: 'template', operations, from: 'f' } }), testModules, T0);
    expect(check.action).toBeUndefined();
    expect(check.problems).toEqual([
      'invalid parameters: operations.0.parameters.names (module probe): expected at least 1 value, got 0 values; operations.0.parameters.depth (module probe): expected a number <= 100, got 500',
    ]);
  });

  it('an action past the size limit is refused before signing, as the server would', () => {
    const operations = [{ module: 'probe', parameters: { names: ['x'.repeat(300 * 1024)] } }];
    const check = checkDraft(base({ source: { kind: 'template', operations, from: 'f' } }), testModules, T0);
    expect(check.problems).toEqual([
      expect.stringMatching(/^action: what is signed .* is \d+ bytes, the limit is 229376/),
    ]);
  });

  it('a template keeps its operations verbatim', () => {
    const operations = [{ module: 'nested', parameters: { searches: { s1: { paths: ['/a'] } } } }];
    const check = checkDraft(base({ source: { kind: 'template', operations, from: 'f' } }), testModules, T0);
    expect(check.action?.operations).toEqual(operations);
  });
});

describe('parseExpiry', () => {
  it.each([
    { name: 'minutes', input: '5m', want: 300_000 },
    { name: 'compound', input: '1h30m', want: 5_400_000 },
    { name: 'days', input: '2d', want: 172_800_000 },
  ])('$name', ({ input, want }) => {
    expect(parseExpiry(input)).toEqual({ ok: true, ms: want });
  });

  it.each([
    { name: 'no unit', input: '5', wantCode: /duration like/ },
    { name: 'too short', input: '5s', wantCode: /at least 10s/ },
    { name: 'too long', input: '8d', wantCode: /at most 7d/ },
    { name: 'words', input: 'soon', wantCode: /got "soon"/ },
  ])('refuses $name', ({ input, wantCode }) => {
    const r = parseExpiry(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(wantCode);
  });
});
