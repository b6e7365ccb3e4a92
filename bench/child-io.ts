import { readFileSync } from 'node:fs';
import type { z } from 'zod';
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
