import { describe, expect, it } from 'vitest';
import { EnrollRateLimiter } from './enroll-rate.js';

describe('EnrollRateLimiter', () => {
  it('allows a burst per address, then refills at the rate, each address on its own', () => {
    let now = 0;
    const limiter = new EnrollRateLimiter({ burst: 3, perSecond: 2 }, () => now);
    const take = (address: string): boolean => limiter.take(address).ok;
    expect([take('10.0.0.1'), take('10.0.0.1'), take('10.0.0.1'), take('10.0.0.1')]).toEqual([true, true, true, false]);
    expect(take('10.0.0.2')).toBe(true);
    now = 500;
    expect([take('10.0.0.1'), take('10.0.0.1')]).toEqual([true, false]);
    now = 100_000;
    expect([take('10.0.0.1'), take('10.0.0.1'), take('10.0.0.1'), take('10.0.0.1')]).toEqual([true, true, true, false]);
  });

  it('asks for a log line at the first refusal and then once per 100', () => {
    const limiter = new EnrollRateLimiter({ burst: 1, perSecond: 0.0001 }, () => 0);
    limiter.take('a');
    const logged = Array.from({ length: 250 }, () => limiter.take('a')).filter((r) => !r.ok && r.shouldLog).length;
    expect(logged).toBe(3);
  });

  it('remembers a bounded number of addresses', () => {
    const limiter = new EnrollRateLimiter({ burst: 1, perSecond: 1, maxAddresses: 100 }, () => 0);
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${Math.floor(i / 256)}.${i % 256}`);
    expect(limiter.addressCount).toBe(100);
  });
});
