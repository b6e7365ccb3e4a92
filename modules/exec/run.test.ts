import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOperation } from '../../test/helpers/modules/agent-side.js';
import { collectRows, recordingContext, type Recording } from '../../test/helpers/modules/recording.js';
import { DEFAULT_PATH, answer, runExec } from './run.js';
import { execModule, execParams } from './spec.js';

/**
 * Real child processes, run through the allow-list an agent config would give (ctx.settings).
 * /bin/sh appears only as an allow-listed program given explicitly, its script as an argument.
 */
const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
const ALLOWED = { programs: ['/bin/echo', '/bin/sh', '/usr/bin/env', '/usr/bin/id'] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-exec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function context(settings: unknown): Recording {
  const rec = recordingContext(dir);
  rec.ctx.settings = settings;
  return rec;
}

async function run(
  input: unknown,
  settings: unknown = ALLOWED,
): Promise<{ row: Record<string, unknown>; rec: Recording }> {
  const rec = context(settings);
  const rows = await collectRows(runExec, execParams, input, rec);
  expect(rows).toHaveLength(1);
  return { row: rows[0] as Record<string, unknown>, rec };
}

const sh = (script: string, extra: Record<string, unknown> = {}) => ({
  program: '/bin/sh',
  args: ['-c', script],
  ...extra,
});

describe('runExec refuses what this agent does not allow', () => {
  it.each([
    {
      name: 'any program when the config lists none (the default)',
      settings: {},
      input: { program: '/bin/echo', args: ['hi'] },
      want: 'refused: this agent allows no program (its config lists none in moduleSettings.exec.programs)',
    },
    {
      name: 'a program not on the list',
      settings: { programs: ['/bin/echo'] },
      input: { program: '/bin/sh', args: ['-c', 'echo hi'] },
      want: "refused: /bin/sh is not on this agent's allow-list (moduleSettings.exec.programs)",
    },
    {
      name: 'a variable the config does not allow',
      settings: ALLOWED,
      input: { program: '/bin/echo', env: { LANG: 'C', HOME: '/root' } },
      want: 'refused: this agent does not let actions set HOME (moduleSettings.exec.env allows LANG, LC_ALL, TZ)',
    },
    {
      name: 'an unknown user',
      settings: ALLOWED,
      input: { program: '/bin/echo', user: 'no-such-user-mig' },
      want: 'refused: no such user on this host: no-such-user-mig',
    },
  ])('$name', async ({ settings, input, want }) => {
    const { row, rec } = await run(input, settings);
    expect(row).toMatchObject({ isRun: false, error: want, stdoutBytes: 0 });
    expect(rec.journal).toEqual([row]);
    expect(rec.stats).toEqual({ refused: 1 });
  });

  it('a listed program that others could rewrite', async () => {
    const script = join(dir, 'tool.sh');
    writeFileSync(script, '#!/bin/sh\necho ran\n');
    chmodSync(script, 0o777);
    const { row } = await run({ program: script }, { programs: [script] });
    expect(row).toMatchObject({ isRun: false, error: `refused: ${script} is writable by its group or by others` });
  });

  it('any program on an agent whose config has no moduleSettings at all', async () => {
    const params = execParams.parse({ program: '/bin/echo', args: ['hi'] });
    const outcome = await runOperation(execModule, runExec, params, {
      root: dir,
      isPrivacyMode: false,
      timeoutMs: 10_000,
    });
    expect(outcome.result.rows).toMatchObject([
      { isRun: false, error: expect.stringMatching(/^refused: this agent allows no program/) },
    ]);
    expect(outcome.result.isFound).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('a listed program another user owns (and so could replace)', async () => {
    const script = join(dir, 'theirs.sh');
    writeFileSync(script, '#!/bin/sh\necho ran\n', { mode: 0o755 });
    chownSync(script, 65534, 65534);
    const { row } = await run({ program: script }, { programs: [script] });
    expect(row).toMatchObject({
      isRun: false,
      error: expect.stringMatching(/belongs to uid 65534, who could replace it/),
    });
  });

  it('a broken config is the operation failing, naming the field', async () => {
    await expect(run({ program: '/bin/echo' }, { programs: ['echo'] })).rejects.toThrow(
      /agent config moduleSettings\.exec: programs\.0: expected an absolute program path/,
    );
  });
});

describe('runExec runs the program and answers about it, never with its output', () => {
  it('exit status, sizes and digests of stdout and stderr', async () => {
    const { row, rec } = await run(sh('echo out; echo err >&2; exit 3'));
    expect(row).toMatchObject({
      program: '/bin/sh',
      isRun: true,
      isDryRun: false,
      exitCode: 3,
      isTimedOut: false,
      stdoutBytes: 4,
      stdoutSha256: sha256('out\n'),
      isStdoutCut: false,
      stderrBytes: 4,
      stderrSha256: sha256('err\n'),
      isStderrCut: false,
    });
    expect(row.durationMs).toEqual(expect.any(Number));
    expect(row).not.toHaveProperty('signal');
    expect(row).not.toHaveProperty('stdoutMatches');
    expect(rec.journal).toEqual([row]);
  });

  it('arguments reach the program as given, one each: no shell re-parses them', async () => {
    const { row } = await run({ program: '/bin/echo', args: ['a  b', '$HOME', ';', '*'] });
    expect(row).toMatchObject({ exitCode: 0, stdoutSha256: sha256('a  b $HOME ; *\n') });
  });

  it('-match counts matching lines of each stream (the last line without its newline too)', async () => {
    const { row } = await run(
      sh("printf 'ok\\nFAIL 1\\nok\\nFAIL 2'; printf 'FAIL 3\\n' >&2", { match: '^FAIL \\d$' }),
    );
    expect(row).toMatchObject({ exitCode: 0, stdoutMatches: 2, stderrMatches: 1 });
  });

  it("only the variables the action names reach the program, with the default PATH; none of the agent's own", async () => {
    process.env.MIG_EXEC_TEST_AGENT_SECRET = 'agent-only';
    try {
      const { row } = await run({ program: '/usr/bin/env', env: { LANG: 'C.UTF-8' }, match: 'MIG_' });
      expect(row).toMatchObject({
        exitCode: 0,
        stdoutSha256: sha256(`PATH=${DEFAULT_PATH}\nLANG=C.UTF-8\n`),
        stdoutMatches: 0,
      });
    } finally {
      delete process.env.MIG_EXEC_TEST_AGENT_SECRET;
    }
  });

  it('a timeout kills the program and what it started (SIGKILL to its process group)', async () => {
    const marker = join(dir, 'late');
    const { row } = await run(sh(`(sleep 3; touch ${marker}) & sleep 30`, { timeoutSeconds: 1 }));
    expect(row).toMatchObject({ isRun: true, isTimedOut: true, signal: 'SIGKILL', error: 'killed after 1000 ms' });
    expect(row).not.toHaveProperty('exitCode');
    // The background child was in the group: it never gets to write its marker.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(existsSync(marker)).toBe(false);
  });

  it('output past the limit is drained, not counted: bytes, digest and matches cover the first part, and say so', async () => {
    const line = '0123456789\n';
    const rec = context(ALLOWED);
    const params = execParams.parse(
      sh(`i=0; while [ $i -lt 200 ]; do printf '${line.trimEnd()}\\n'; i=$((i+1)); done`, { match: '^0' }),
    );
    const row = await answer(params, rec.ctx, 1000);
    expect(row).toMatchObject({
      exitCode: 0,
      stdoutBytes: 1000,
      stdoutSha256: sha256(line.repeat(200).slice(0, 1000)),
      isStdoutCut: true,
      stdoutMatches: 90,
      isStderrCut: false,
    });
  });

  it('dry run: checks everything and runs nothing', async () => {
    const marker = join(dir, 'ran');
    const { row, rec } = await run(sh(`touch ${marker}`, { dryrun: true }));
    expect(row).toMatchObject({ isRun: false, isDryRun: true, stdoutBytes: 0 });
    expect(row).not.toHaveProperty('error');
    expect(existsSync(marker)).toBe(false);
    expect(rec.stats).toEqual({ wouldRun: 1 });
  });

  it.skipIf(process.getuid?.() !== 0)('runs as the user and group asked (root only: setuid needs it)', async () => {
    const { row } = await run({ program: '/usr/bin/id', args: ['-u'], user: '65534', group: '65534' });
    expect(row).toMatchObject({ exitCode: 0, stdoutSha256: sha256('65534\n') });
    const groups = await run({ program: '/usr/bin/id', args: ['-G'], user: '65534', group: '65534' });
    // Only the group asked: root's supplementary groups are dropped.
    expect(groups.row).toMatchObject({ exitCode: 0, stdoutSha256: sha256('65534\n') });
  });
});

describe('privacy: what the program prints never leaves, whatever path the answer takes', () => {
  it('a secret in stdout, stderr and an env value is in no row, journal entry, log, warning or result', async () => {
    const secret = `s3cr3t-${Date.now()}-planted`;
    const params = execParams.parse(
      sh(`echo "token=${'$'}TZ"; echo ${secret}; echo ${secret} >&2`, { env: { TZ: secret }, match: 'token=' }),
    );
    const journal: Record<string, unknown>[] = [];
    const logs: string[] = [];
    const outcome = await runOperation(execModule, runExec, params, {
      root: dir,
      isPrivacyMode: false,
      timeoutMs: 30_000,
      settings: { exec: ALLOWED },
      journal: (entry) => journal.push(entry),
      log: (_level, message) => logs.push(message),
    });
    expect(outcome.status).toBe('success');
    expect(outcome.result.rows).toHaveLength(1);
    expect(outcome.result.rows[0]).toMatchObject({ exitCode: 0, stdoutMatches: 1, stderrMatches: 0 });
    expect(outcome.result.isFound).toBe(true);
    expect(JSON.stringify({ outcome, journal, logs })).not.toContain(secret);
    expect(journal).toHaveLength(1);
  });
});
