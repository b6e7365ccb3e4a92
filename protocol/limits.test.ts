import { describe, expect, it } from 'vitest';
import { BaseError } from './errors.js';
import {
  ACTION_LIMITS,
  MAX_SIGNED_PART_BYTES,
  checkActionSize,
  checkWindowAt,
  checkWindowLength,
  formatDuration,
  isResponseModule,
  parseExpiry,
} from './limits.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const at = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
const HOUR = 3_600_000;

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof BaseError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('checkWindowAt (server at submission, CLI and console before signing)', () => {
  it.each([
    { name: 'five minutes from now', from: 0, until: 5 * 60_000, want: undefined },
    { name: 'exactly the longest window', from: 0, until: ACTION_LIMITS.maxValidityMs, want: undefined },
    {
      name: 'starting exactly as far ahead as allowed',
      from: ACTION_LIMITS.maxStartAheadMs,
      until: ACTION_LIMITS.maxStartAheadMs + HOUR,
      want: undefined,
    },
    {
      name: 'one ms too long',
      from: 0,
      until: ACTION_LIMITS.maxValidityMs + 1,
      want: /^VALIDITY_TOO_LONG: expireAfter: the validity window \(expireAfter − validFrom\) is .*, the limit is 7d$/,
    },
    {
      name: 'ends before it starts',
      from: HOUR,
      until: 0,
      want: /^BAD_REQUEST: expireAfter: .* is not after validFrom/,
    },
    { name: 'already over', from: -2 * HOUR, until: -HOUR, want: /^EXPIRED: expireAfter: / },
    {
      name: 'starts a month ahead',
      from: 30 * 24 * HOUR,
      until: 30 * 24 * HOUR + HOUR,
      want: /^VALID_FROM_TOO_FAR: validFrom: .* is 30d ahead of .*, the limit is 7d$/,
    },
  ])('$name', ({ from, until, want }) => {
    const got = codeOf(() => checkWindowAt({ validFrom: at(from), expireAfter: at(until) }, NOW));
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });

  it('the agent checks the same length predicate, without a clock', () => {
    expect(
      codeOf(() => checkWindowLength({ validFrom: at(-1e12), expireAfter: at(-1e12 + ACTION_LIMITS.maxValidityMs) })),
    ).toBeUndefined();
    expect(
      codeOf(() => checkWindowLength({ validFrom: at(0), expireAfter: at(ACTION_LIMITS.maxValidityMs + 1) })),
    ).toMatch(/^VALIDITY_TOO_LONG/);
  });
});

describe('checkActionSize', () => {
  const action = (bytes: number): Record<string, unknown> => ({ v: 1, pad: 'x'.repeat(bytes) });
  const overhead = JSON.stringify(action(0)).length;

  it('takes a signed part right at the limit and refuses one byte more, before signing', () => {
    expect(codeOf(() => checkActionSize(action(MAX_SIGNED_PART_BYTES - overhead)))).toBeUndefined();
    expect(codeOf(() => checkActionSize(action(MAX_SIGNED_PART_BYTES - overhead + 1)))).toMatch(
      /^PAYLOAD_TOO_LARGE: action: what is signed .* is \d+ bytes, the limit is \d+/,
    );
  });

  it('counts UTF-8 bytes, as the agent does', () => {
    expect(codeOf(() => checkActionSize({ pad: 'é'.repeat(MAX_SIGNED_PART_BYTES / 2) }))).toMatch(/^PAYLOAD_TOO_LARGE/);
  });

  it('refuses the whole action over maxActionBytes once signatures are on it', () => {
    const signed = {
      ...action(MAX_SIGNED_PART_BYTES - overhead),
      signatures: ['s'.repeat(ACTION_LIMITS.maxSignatures * ACTION_LIMITS.signatureRoomBytes)],
    };
    expect(codeOf(() => checkActionSize(signed))).toMatch(
      /^PAYLOAD_TOO_LARGE: action: \d+ bytes with its signatures, the limit is 262144$/,
    );
  });
});

describe('parseExpiry (-e, the launcher, mig action import)', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['7d', 7 * 24 * HOUR],
  ])('%s', (text, ms) => {
    expect(parseExpiry(text)).toEqual({ ok: true, ms });
  });
  it.each([
    ['8d', 'expected at most 7d (the longest validity window agents accept), got "8d"'],
    ['30d', 'expected at most 7d (the longest validity window agents accept), got "30d"'],
    ['5s', 'expected at least 10s, got "5s"'],
    ['5', 'expected a duration like 30s, 5m, 1h30m or 2d, got "5"'],
    ['9999999d', 'expected a duration like 30s, 5m, 1h30m or 2d, got "9999999d"'],
  ])('refuses %s', (text, problem) => {
    expect(parseExpiry(text)).toMatchObject({ ok: false, problem });
  });
});

it('formatDuration', () => {
  expect([7 * 24 * HOUR, 36 * HOUR, 90 * 60_000, 10_000, 30 * 24 * HOUR + 1].map(formatDuration)).toEqual([
    '7d',
    '36h',
    '90m',
    '10s',
    '720.0h',
  ]);
});

it('response modules', () => {
  expect(['firewall', 'process', 'account', 'agentdestroy'].every(isResponseModule)).toBe(true);
  expect(isResponseModule('file')).toBe(false);
});
