import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canExitNow, type ProcessState } from './prompt-exit.js';

const idle: ProcessState = {
  resources: ['PipeWrap', 'TTYWrap', 'CloseReq'],
  beforeExitListeners: 0,
  stdout: { writableLength: 0 },
  stderr: { writableLength: 0 },
};

describe('canExitNow', () => {
  it('exits when only the standard streams and closes in flight are left', () => {
    expect(canExitNow(idle)).toBe(true);
    expect(canExitNow({ ...idle, resources: [] })).toBe(true);
  });

  // Alike on purpose (duplicates): one row a case, the table's shape is shared.
  it.each([
    { what: 'a file write in flight', state: { ...idle, resources: ['PipeWrap', 'FSReqCallback'] } },
    { what: 'a promise-based fs call', state: { ...idle, resources: ['FSReqPromise'] } },
    { what: 'a stream write in flight', state: { ...idle, resources: ['WriteWrap'] } },
    { what: 'a timer', state: { ...idle, resources: ['Timeout'] } },
    { what: 'a listening server', state: { ...idle, resources: ['TCPServerWrap'] } },
    { what: 'a child process', state: { ...idle, resources: ['ProcessWrap'] } },
    { what: "a 'beforeExit' listener", state: { ...idle, beforeExitListeners: 1 } },
    { what: 'stdout still buffered', state: { ...idle, stdout: { writableLength: 10 } } },
    { what: 'stderr still buffered', state: { ...idle, stderr: { writableLength: 1 } } },
  ])('waits for the natural end with $what', ({ state }) => {
    expect(canExitNow(state)).toBe(false);
  });
});

// The real thing: a node process whose main() resolved, as bin/mig.js's does.
describe('exitPromptly in a process', () => {
  const MODULE = JSON.stringify(new URL('./prompt-exit.js', import.meta.url).href);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-prompt-exit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(body: string): { status: number | null; stdout: string; stderr: string } {
    const script = `import { exitPromptly } from ${MODULE}; import * as fs from 'node:fs';\n${body}`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  }

  it('exits with the command’s code, every byte written to a pipe delivered', () => {
    const out = run(
      `process.stdout.write('x'.repeat(4 * 1024 * 1024)); process.stdout.write('end\\n'); exitPromptly(3);`,
    );
    expect(out.status).toBe(3);
    expect(out.stdout.length).toBe(4 * 1024 * 1024 + 4);
  });

  it('exits at once when nothing is left to wait for: code after it never runs', () => {
    expect(run(`process.stdout.write('done\\n'); exitPromptly(0); process.stdout.write('after\\n');`)).toMatchObject({
      status: 0,
      stdout: 'done\n',
    });
  });

  it('lets a write still in flight finish', () => {
    const file = join(dir, 'late');
    const out = run(
      `fs.writeFile(${JSON.stringify(file)}, 'written', () => process.stdout.write('callback\\n')); exitPromptly(0);`,
    );
    expect(out).toMatchObject({ status: 0, stdout: 'callback\n' });
    expect(readFileSync(file, 'utf8')).toBe('written');
  });

  it("lets a timer still set fire, and 'beforeExit' listeners run", () => {
    expect(run(`setTimeout(() => process.stdout.write('timer\\n'), 30); exitPromptly(4);`)).toMatchObject({
      status: 4,
      stdout: 'timer\n',
    });
    expect(run(`process.on('beforeExit', () => process.stdout.write('before\\n')); exitPromptly(0);`).stdout).toBe(
      'before\n',
    );
  });

  it("runs 'exit' listeners when it exits early (the code cache is written there)", () => {
    expect(
      run(`process.on('exit', (code) => process.stdout.write('exit ' + code + '\\n')); exitPromptly(5);`),
    ).toMatchObject({ status: 5, stdout: 'exit 5\n' });
  });
});
