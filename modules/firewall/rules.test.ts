import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blocksFromLines, parseChainListing, restoreScript, rulesOf } from './iptables-rules.js';
import { parseListing } from './nft-listing.js';
import { addScript, deleteScript, elementsOf, skeletonScript } from './nft-script.js';
import { blockKey, blocksOf, defaultRuleId, describeMatch, perFamily, type Block } from './rules.js';
import { firewallParams } from './spec.js';

const params = (input: Record<string, unknown>) => firewallParams.parse(input);
const EXPIRES = new Date('2030-01-01T02:00:00.000Z');

describe('blocksOf: one block per address × protocol × direction', () => {
  it.each([
    {
      name: 'an address, both ways',
      input: { op: 'add', ips: ['203.0.113.0/24'] },
      want: ['from 203.0.113.0/24', 'to 203.0.113.0/24'],
    },
    {
      name: 'a port without protocol means tcp and udp',
      input: { op: 'add', port: 53, direction: 'out' },
      want: ['to any port tcp/53', 'to any port udp/53'],
    },
    {
      name: 'addresses and a port, inbound; duplicates once',
      input: {
        op: 'add',
        ips: ['2001:DB8::/32', '198.51.100.7/32', '198.51.100.7'],
        port: 22,
        proto: 'tcp',
        direction: 'in',
      },
      want: ['from 2001:db8::/32 to port tcp/22', 'from 198.51.100.7 to port tcp/22'],
    },
    {
      name: 'quarantine',
      input: { op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222', '[2001:db8::1]:443'] },
      want: ['everything except loopback and tcp 192.0.2.10:4222, [2001:db8::1]:443'],
    },
  ])('$name', ({ input, want }) => {
    const blocks = blocksOf(params(input), 'r', EXPIRES);
    expect(blocks.map(describeMatch)).toEqual(want);
    expect(blocks.every((b) => b.rule === 'r' && b.expiresAt === EXPIRES)).toBe(true);
  });

  it('families: an address has its own, a bare port is any; iptables splits any per family', () => {
    const blocks = blocksOf(params({ op: 'add', ips: ['10.0.0.0/8'], direction: 'in' }), 'r').concat(
      blocksOf(params({ op: 'add', port: 22, proto: 'tcp', direction: 'in' }), 'p'),
    );
    expect(blocks.map((b) => b.family)).toEqual([4, 'any']);
    expect(perFamily(blocks).map((b) => [b.rule, b.family])).toEqual([
      ['r', 4],
      ['p', 4],
      ['p', 6],
    ]);
  });

  it('quarantine keeps are split per family too', () => {
    const [q] = blocksOf(
      params({ op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222', '[2001:db8::1]:443'] }),
      'quarantine',
    );
    expect(perFamily(q === undefined ? [] : [q]).map((b) => b.keep?.map((k) => k.address))).toEqual([
      ['192.0.2.10'],
      ['2001:db8::1'],
    ]);
  });
});

describe('defaultRuleId', () => {
  it('is the same on every agent for the same block, whatever the order or spelling of the addresses', () => {
    const a = defaultRuleId(params({ op: 'add', ips: ['203.0.113.0/24', '198.51.100.7'] }));
    expect(a).toMatch(/^r-[0-9a-f]{10}$/);
    expect(defaultRuleId(params({ op: 'add', ips: ['198.51.100.7/32', '203.0.113.0/24'] }))).toBe(a);
    expect(defaultRuleId(params({ op: 'add', ips: ['203.0.113.0/24', '198.51.100.7'], direction: 'in' }))).not.toBe(a);
    expect(defaultRuleId(params({ op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222'] }))).toBe('quarantine');
  });
});

describe('nft text', () => {
  const blocks = blocksOf(
    params({ op: 'add', ips: ['203.0.113.0/24'], port: 443, proto: 'tcp', direction: 'out' }),
    'c2',
  ).concat(
    blocksOf(params({ op: 'add', port: 22, proto: 'tcp', direction: 'in' }), 'ssh'),
    blocksOf(params({ op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222'] }), 'quarantine'),
  );

  it('elements go to the set of their shape, with a timeout and a mig: comment', () => {
    expect(addScript(blocks, 7200)).toBe(
      [
        'create element inet mig addrport4_out { 203.0.113.0/24 . tcp . 443 timeout 7200s comment "mig:c2" }',
        'create element inet mig port_in { tcp . 22 timeout 7200s comment "mig:ssh" }',
        'create element inet mig keep4 { 192.0.2.10 . 4222 timeout 7200s comment "mig:quarantine" }',
        'create element inet mig quarantine { ipv4 timeout 7200s comment "mig:quarantine" }',
        'create element inet mig quarantine { ipv6 timeout 7200s comment "mig:quarantine" }',
        '',
      ].join('\n'),
    );
    expect(deleteScript(blocks.flatMap(elementsOf))).toMatch(
      /^delete element inet mig addrport4_out \{ 203\.0\.113\.0\/24 \. tcp \. 443 \}\n/,
    );
  });

  it('the skeleton is created in one transaction that fails if the table exists', () => {
    const script = skeletonScript();
    expect(script.startsWith('create table inet mig\n')).toBe(true);
    expect(script).toContain('type filter hook input priority -10; policy accept;');
    expect(script).toContain('meta nfproto @quarantine jump quarantine_out');
    expect(script).toContain('ip saddr . tcp sport @keep4 ct state established return');
  });
});

describe('nft listing (a real `nft -j list table inet mig`)', () => {
  const json = readFileSync(new URL('./fixtures/nft-list.json', import.meta.url), 'utf8');
  const now = new Date('2030-01-01T00:00:00.000Z');
  const listing = parseListing(json, now);

  it('reads every block MIG wrote, with its rule and expiry', () => {
    const got = listing.blocks.map((b) => [
      b.rule,
      b.direction,
      b.family,
      describeMatch(b),
      b.expiresAt?.toISOString(),
    ]);
    expect(got).toEqual([
      ['ssh', 'in', 'any', 'from any to port tcp/22', undefined],
      ['web6', 'in', 6, 'from 2001:db8:bad::/48 to port tcp/443', '2030-01-01T01:59:59.000Z'],
      ['c2', 'out', 4, 'to 198.51.100.7', undefined],
      ['c2', 'out', 4, 'to 203.0.113.0/24', undefined],
      [
        'quarantine',
        'both',
        'any',
        'everything except loopback and tcp 192.0.2.10:4222, [2001:db8::1]:4222',
        '2030-01-01T23:59:59.000Z',
      ],
    ]);
  });

  it('reports an element it did not write, and leaves it alone', () => {
    expect(listing.problems).toEqual([
      'nft set addr4_in: element 10.9.0.1-10.9.0.9 has no mig:<rule> comment; left alone',
    ]);
  });

  it('knows the elements of each block, for removal', () => {
    const quarantine = listing.blocks.find((b) => b.kind === 'quarantine') as Block;
    expect(listing.elements.get(blockKey(quarantine))).toEqual([
      { set: 'quarantine', text: 'ipv4' },
      { set: 'quarantine', text: 'ipv6' },
      { set: 'keep4', text: '192.0.2.10 . 4222' },
      { set: 'keep6', text: '2001:db8::1 . 4222' },
    ]);
  });

  it('every block MIG adds reads back to the same key (what removal by match relies on)', () => {
    const wanted = blocksOf(params({ op: 'add', ips: ['203.0.113.0/24', '198.51.100.7'], direction: 'out' }), 'c2');
    const listed = new Set(listing.blocks.map(blockKey));
    expect(wanted.map(blockKey).filter((k) => !listed.has(k))).toEqual([]);
  });
});

describe('iptables text', () => {
  const blocks = perFamily(
    blocksOf(
      params({ op: 'add', ips: ['203.0.113.0/24'], port: 22, proto: 'tcp', direction: 'in' }),
      'ssh',
      EXPIRES,
    ).concat(blocksOf(params({ op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222'] }), 'quarantine')),
  );

  it('blocks go first, quarantine last; expiry rides in the comment', () => {
    const rules = blocks.flatMap(rulesOf).filter((r) => r.family === 4);
    const script = restoreScript(
      rules.map((r) => ({
        op: r.position === 'head' ? ('-I' as const) : ('-A' as const),
        direction: r.direction,
        args: r.args,
      })),
    );
    expect(script.split('\n')).toEqual([
      '*filter',
      '-I MIG-IN 1 -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -m comment --comment mig:ssh/exp=1893463200 -j DROP',
      '-A MIG-IN -i lo -m comment --comment mig:quarantine -j RETURN',
      '-A MIG-IN -s 192.0.2.10 -p tcp -m tcp --sport 4222 -m conntrack --ctstate ESTABLISHED -m comment --comment mig:quarantine -j RETURN',
      '-A MIG-IN -m comment --comment mig:quarantine -j DROP',
      '-A MIG-OUT -o lo -m comment --comment mig:quarantine -j RETURN',
      '-A MIG-OUT -d 192.0.2.10 -p tcp -m tcp --dport 4222 -m comment --comment mig:quarantine -j RETURN',
      '-A MIG-OUT -m comment --comment mig:quarantine -j DROP',
      'COMMIT',
      '',
    ]);
  });

  it('`iptables -S` output reads back into the same blocks; rules without our comment are left alone', () => {
    const listed = [
      '-N MIG-IN',
      '-A MIG-IN -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -m comment --comment "mig:ssh/exp=1893463200" -j DROP',
      '-A MIG-IN -s 10.0.0.0/8 -j DROP',
      '-A MIG-IN -i lo -m comment --comment "mig:quarantine" -j RETURN',
      '-A MIG-IN -s 192.0.2.10/32 -p tcp -m tcp --sport 4222 -m conntrack --ctstate ESTABLISHED -m comment --comment "mig:quarantine" -j RETURN',
      '-A MIG-IN -m comment --comment "mig:quarantine" -j DROP',
    ].join('\n');
    const { blocks: got, lines } = blocksFromLines(parseChainListing(listed, 4, 'in'));
    expect(got.map((b) => [b.rule, b.family, describeMatch(b), b.expiresAt?.toISOString()])).toEqual([
      ['ssh', 4, 'from 203.0.113.0/24 to port tcp/22', EXPIRES.toISOString()],
      ['quarantine', 4, 'everything except loopback and tcp 192.0.2.10:4222', undefined],
    ]);
    const wanted = blocks.filter((b) => b.family === 4).map(blockKey);
    expect(got.map(blockKey)).toEqual(wanted);
    expect(lines.get(wanted[1] ?? '')?.map((l) => l.args.at(-1))).toEqual(['RETURN', 'RETURN', 'DROP']);
  });
});
