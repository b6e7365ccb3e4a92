import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The package version reported by GET /health; `0.0.0-unknown` when package.json is not beside us (bundled). */
export function serverVersion(): string {
  try {
    const raw: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return z.object({ version: z.string() }).parse(raw).version;
  } catch {
    return '0.0.0-unknown';
  }
}
