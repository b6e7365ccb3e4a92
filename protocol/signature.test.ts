import { describe, expect, it } from 'vitest';
import { canonicalActionBytes } from './canonical.js';
import { Keyring, verifyAll } from './signature.js';
import { checkAcl, defaultAcl } from './acl.js';
import { armoredPublicKey, fingerprint } from '../test/helpers/keys.js';
import { signAs, unsignedAction } from '../test/helpers/actions.js';

describe('canonical bytes', () => {
  it('do not depend on key order and exclude signatures', () => {
    const a = canonicalActionBytes({ b: 1, a: [2, { y: 1, x: 2 }], signatures: ['z'] });
    const b = canonicalActionBytes({ a: [2, { x: 2, y: 1 }], b: 1 });
    expect(new TextDecoder().decode(a)).toBe('{"a":[2,{"x":2,"y":1}],"b":1}');
    expect(a).toEqual(b);
  });
});

describe('signatures', () => {
  it('verify for trusted keys, count a duplicate signer once, refuse tampering and strangers', async () => {
    const ring = await Keyring.fromArmored([armoredPublicKey('alice'), armoredPublicKey('bob')]);
    const signed = await signAs(unsignedAction({ target: "os = 'linux'" }), ['alice', 'alice', 'bob']);
    const bytes = canonicalActionBytes(signed);
    expect((await verifyAll(bytes, signed.signatures, ring)).sort()).toEqual(
      [await fingerprint('alice'), await fingerprint('bob')].sort(),
    );
    const tampered = canonicalActionBytes({ ...signed, target: 'all' });
    await expect(verifyAll(tampered, signed.signatures, ring)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    const byMallory = await signAs(unsignedAction(), ['mallory']);
    await expect(verifyAll(canonicalActionBytes(byMallory), byMallory.signatures, ring)).rejects.toMatchObject({
      code: 'UNKNOWN_SIGNER',
    });
    await expect(verifyAll(bytes, [], ring)).rejects.toMatchObject({ code: 'NO_SIGNATURE' });
    await expect(verifyAll(bytes, ['garbage'], ring)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });
});

describe('acl', () => {
  it('needs two distinct signers for response modules by default', async () => {
    const [alice, bob] = [await fingerprint('alice'), await fingerprint('bob')];
    const acl = defaultAcl([alice, bob]);
    expect(() => checkAcl(acl, ['file'], [alice])).not.toThrow();
    expect(() => checkAcl(acl, ['firewall'], [alice, alice])).toThrow(
      expect.objectContaining({ code: 'ACL_WEIGHT_TOO_LOW' }),
    );
    expect(() => checkAcl(acl, ['firewall'], [alice, bob])).not.toThrow();
    expect(() => checkAcl(acl, ['file'], ['f'.repeat(40)])).toThrow(
      expect.objectContaining({ code: 'ACL_WEIGHT_TOO_LOW' }),
    );
  });
});
