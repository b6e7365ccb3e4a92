import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { testModules } from '../../test/helpers/console/state/fake-modules.js';
import { FakeTtyIn } from '../../test/helpers/console/fake-tty-in.js';
import { settle } from '../../test/helpers/console/state/harness.js';
import {
  BRACKETED_PASTE_OFF,
  BRACKETED_PASTE_ON,
  ENTER_ALT_SCREEN,
  LEAVE_ALT_SCREEN,
  runConsole,
} from './run-console.js';

/** A terminal's output end: size and a write log. */
class FakeTtyOut extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  readonly writes: string[] = [];
  write = (data: string): boolean => {
    this.writes.push(data);
    return true;
  };
}

const streams = () => {
  const stdin = new FakeTtyIn();
  const stdout = new FakeTtyOut();
  const stderr = new FakeTtyOut();
  return {
    stdin,
    stdout,
    stderr,
    opts: {
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
    },
  };
};

const running: { done: Promise<unknown>; stdin: FakeTtyIn }[] = [];
afterEach(async () => {
  // A test that failed half-way leaves its console open: quit it so the next test starts clean.
  for (const r of running) r.stdin.type('q');
  await Promise.allSettled(running.splice(0).map((r) => r.done));
});

describe('runConsole', () => {
  it('enters the alternate screen, draws, and restores the screen when q is pressed', async () => {
    const s = streams();
    const done = runConsole(new FakeBackend(), { ...s.opts, modules: testModules, signals: [], patchConsole: false });
    running.push({ done, stdin: s.stdin });
    await settle(10);
    expect(s.stdout.writes[0]).toBe(ENTER_ALT_SCREEN + BRACKETED_PASTE_ON);
    s.stdin.type('q');
    await done;
    // With CI=true Ink writes only the last frame, at unmount: look after quitting.
    expect(s.stdout.writes.join('')).toContain('Agents 0');
    expect(s.stdout.writes.at(-1)).toBe(BRACKETED_PASTE_OFF + LEAVE_ALT_SCREEN);
  });

  const quitCases: { name: string; keys: string[]; isEmbedded: boolean; want: string }[] = [
    { name: 'remote server: q quits at once', keys: ['q'], isEmbedded: false, want: 'stop' },
    { name: 'embedded: q then k keeps the fleet running', keys: ['q', 'k'], isEmbedded: true, want: 'keep' },
    { name: 'embedded: q then s stops it', keys: ['q', 's'], isEmbedded: true, want: 'stop' },
    { name: 'embedded: ctrl+c twice stops it', keys: ['\u0003', '\u0003'], isEmbedded: true, want: 'stop' },
  ];
  it.each(quitCases)('tells its caller what to do with the fleet: $name', async ({ keys, isEmbedded, want }) => {
    const s = streams();
    const backend = new FakeBackend();
    if (isEmbedded) backend.embeddedFleet = 'the server and agent vm';
    const done = runConsole(backend, { ...s.opts, modules: testModules, signals: [], patchConsole: false });
    running.push({ done, stdin: s.stdin });
    await settle(10);
    for (const key of keys) {
      s.stdin.type(key);
      await settle(5);
    }
    expect(await done).toBe(want);
  });

  it('a signal closes the console and restores the screen', async () => {
    const s = streams();
    const backend = new FakeBackend();
    const listenersBefore = process.listenerCount('SIGUSR2');
    const done = runConsole(backend, { ...s.opts, modules: testModules, signals: ['SIGUSR2'], patchConsole: false });
    running.push({ done, stdin: s.stdin });
    await settle(10);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(await done).toBe('stop');
    expect(s.stdout.writes.at(-1)).toBe(BRACKETED_PASTE_OFF + LEAVE_ALT_SCREEN);
    expect(backend.subscriberCount).toBe(0);
    expect(process.listenerCount('SIGUSR2')).toBe(listenersBefore);
  });

  it('refuses to start without an interactive terminal', async () => {
    const s = streams();
    s.stdin.isTTY = false;
    await expect(runConsole(new FakeBackend(), { ...s.opts, modules: testModules })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(s.stdout.writes).toEqual([]);
  });
});
