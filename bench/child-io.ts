import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import type { Probe } from './fanout-probe.js';
import { describeIssues } from '../protocol/zod-issues.js';

/**
 * What every bench child process shares with its parent: one JSON message per stdout line, and
 * a spec file (JSON, written by the parent) parsed with the child's schema.
 */
export function send(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

export function readSpec<S extends z.ZodType>(path: string | undefined, schema: S, usage: string): z.output<S> {
  if (path === undefined) throw new Error(`usage: ${usage}`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** A failure, as the parent reads it: `{"type":"failed"}` with the stack when there is one. */
export function sendFailed(err: unknown): void {
  send({ type: 'failed', message: (err as Error).stack ?? String(err) });
}

/** Runs a child's main; if it fails, the parent is told and the child exits 1. */
export function runChild(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    sendFailed(err);
    process.exit(1);
  });
}

/**
 * The words every fan-out child answers alike: `mark` (probe counters from now), `report` (the
 * probe's figures), `stop`. Returns false for any other word, which is the child's own.
 */
export function answerProbeWord(
  word: string | undefined,
  probe: Pick<Probe, 'mark' | 'report'>,
  stop: () => void,
): boolean {
  if (word === 'mark') {
    probe.mark();
    send({ type: 'marked' });
  } else if (word === 'report') send({ type: 'report', ...probe.report() });
  else if (word === 'stop') stop();
  else return false;
  return true;
}

/**
 * Reads the parent's words, one a line, and hands each (split from its argument) to `onWord`.
 * `stop` closes every agent once, whether the parent says `stop` or closes stdin, says `stopped`
 * and exits: a fan-out child never outlives its parent.
 */
export function readWords(
  agents: { close(): Promise<unknown> }[],
  onWord: (word: string | undefined, arg: string | undefined, stop: () => void) => void,
): void {
  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    stopping ??= Promise.allSettled(agents.splice(0).map((a) => a.close())).then(() => {
      send({ type: 'stopped' });
      process.exit(0);
    });
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('close', stop);
  lines.on('line', (line) => {
    const [word, arg] = line.trim().split(/\s+/);
    onWord(word, arg, stop);
  });
}
