/** How long an action stays valid when nobody says otherwise (MIG's default too). */
export const DEFAULT_EXPIRY = '5m';
/** Agents refuse nothing for being long-lived, so we do: a stolen signed action must not live for weeks. */
export const MAX_EXPIRY_MS = 7 * 86_400_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type Expiry = { ok: true; ms: number } | { ok: false; problem: string };

/** `30s`, `5m`, `1h30m`, `2d`. */
export function parseExpiry(text: string): Expiry {
  const src = text.trim();
  const bad = (why: string): Expiry => ({ ok: false, problem: `${why}, got ${JSON.stringify(src)}` });
  if (!/^(\d+[smhd])+$/.test(src)) return bad('expected a duration like 30s, 5m, 1h30m or 2d');
  let ms = 0;
  for (const m of src.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
  if (ms < 10_000) return bad('expected at least 10s');
  if (ms > MAX_EXPIRY_MS) return bad('expected at most 7d');
  return { ok: true, ms };
}
