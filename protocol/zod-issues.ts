import type { z } from 'zod';

/**
 * One line per invalid field, naming the path, what was expected and what was given,
 * so a bad flag, API body or MQTT payload reports every problem at once.
 */
export function describeIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return `${path === '' ? '(root)' : path}: ${issue.message}`;
    })
    .join('; ');
}
