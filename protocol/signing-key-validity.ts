import type * as openpgp from 'openpgp';

/**
 * "Was this (sub)key valid for signing at time t?" as openpgp's `getSigningKey(keyID, t)`
 * answers it, cached per key and time slot. That call re-walks the key's self-signatures,
 * bindings and revocations on every signature (tens of µs to a millisecond); its answer can only
 * change where t crosses a time the key itself names, so it is asked once per slot:
 *
 * - openpgp compares t (floored to the second: util.normalizeDate) only against times taken from
 *   the key: each key packet's creation time, each signature's creation and expiry time, and
 *   each key expiry (key creation + a signature's keyExpirationTime). Those are the breakpoints.
 * - Between two consecutive breakpoints every such comparison gives the same result, so the
 *   answer is the same for every t in that open interval; each breakpoint is a slot of its own.
 * - The current time is part of the slot too, in case some step of openpgp's compares against
 *   "now" instead of t: the cached answer is then reused only while now stays in its slot.
 * - Each slot is decided on a fresh copy of the key (parsed from its own bytes), not on the
 *   keyring's shared object: openpgp marks signatures it once found revoked and keeps that mark,
 *   which would make an answer depend on the order of earlier questions.
 *
 * protocol/signature-parity.test.ts checks this against openpgp at random times around every
 * breakpoint of keys that expire, have expiring subkeys, and are revoked.
 */
export class SigningKeyValidity {
  /** Sorted, distinct, in ms (every OpenPGP time is whole seconds). */
  private readonly breakpoints: number[];
  private readonly answers = new Map<string, Promise<boolean>>();

  constructor(
    private readonly key: openpgp.PublicKey,
    private readonly loadOpenpgp: () => Promise<typeof openpgp>,
  ) {
    this.breakpoints = keyBreakpoints(key);
  }

  /** True if openpgp's getSigningKey(keyId, at) returns a key; false if it throws. */
  isValidAt(keyId: openpgp.KeyID, atMs: number, nowMs: number): Promise<boolean> {
    const cacheKey = `${keyId.toHex()}|${this.slotOf(atMs)}|${this.slotOf(nowMs)}`;
    let answer = this.answers.get(cacheKey);
    if (answer === undefined) {
      answer = this.decide(keyId, atMs);
      this.answers.set(cacheKey, answer);
    }
    return answer;
  }

  /** The breakpoints, for tests that probe around each of them. */
  times(): readonly number[] {
    return this.breakpoints;
  }

  /** `=i` on breakpoint i, `<i` in the open interval just before breakpoint i (`<n`: after the last). */
  private slotOf(ms: number): string {
    const t = Math.floor(ms / 1000) * 1000;
    let low = 0;
    let high = this.breakpoints.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.breakpoints[mid] ?? Infinity) < t) low = mid + 1;
      else high = mid;
    }
    return this.breakpoints[low] === t ? `=${low}` : `<${low}`;
  }

  /** Never rejects: any failure is "not valid", which only sends the signature to openpgp's path. */
  private async decide(keyId: openpgp.KeyID, atMs: number): Promise<boolean> {
    try {
      const pgp = await this.loadOpenpgp();
      const fresh = await pgp.readKey({ binaryKey: this.key.write() });
      await fresh.getSigningKey(keyId, new Date(atMs));
      return true;
    } catch {
      return false;
    }
  }
}

interface TimedPacket {
  created?: unknown;
  keyExpirationTime?: unknown;
  keyNeverExpires?: unknown;
  embeddedSignature?: unknown;
  getExpirationTime?: unknown;
}

/** Every time openpgp may compare a validity date against, for this key (see SigningKeyValidity). */
export function keyBreakpoints(key: openpgp.PublicKey): number[] {
  const times = new Set<number>();
  const keyCreations: number[] = [];
  const keyExpiries: number[] = []; // seconds after a key's creation
  const visit = (packet: unknown): void => {
    if (typeof packet !== 'object' || packet === null) return;
    const p = packet as TimedPacket;
    if (p.created instanceof Date) times.add(p.created.getTime());
    if (typeof p.getExpirationTime === 'function' && 'signatureType' in p) {
      const expiry = (p.getExpirationTime as () => unknown).call(p);
      if (expiry instanceof Date) times.add(expiry.getTime());
    }
    if ('algorithm' in p && p.created instanceof Date) keyCreations.push(p.created.getTime());
    if (typeof p.keyExpirationTime === 'number' && p.keyNeverExpires !== true) keyExpiries.push(p.keyExpirationTime);
    if (p.embeddedSignature !== undefined) visit(p.embeddedSignature);
  };
  for (const packet of key.toPacketList()) visit(packet);
  for (const created of keyCreations) for (const seconds of keyExpiries) times.add(created + seconds * 1000);
  return [...times].filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
}
