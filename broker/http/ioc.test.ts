import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IocResponseSchema, MAX_IOC_FEED_CHARS } from '../../protocol/ioc-api.js';
import { signAs } from '../../test/helpers/actions.js';
import { errorCode, ServerHarness } from '../../test/helpers/broker/harness.js';

const feed = (name: string): string => readFileSync(new URL(`../../demo/feeds/${name}`, import.meta.url), 'utf8');

// Alike on purpose (duplicates): a fresh ServerHarness per test through vitest hooks, as in agents-events.test.ts and
// (BrokerHarness) broker/mqtt/server.test.ts; a helper would trade these hooks for a getter at every use of the
// harness.
let h: ServerHarness;
beforeEach(async () => {
  h = new ServerHarness();
  await h.start();
});
afterEach(async () => {
  await h.teardown();
});

const messageOf = (body: unknown): string => (body as { error: { message: string } }).error.message;

describe('POST /ioc: a feed in, unsigned actions and the untranslated out', () => {
  it('translates a STIX bundle into actions a client signs and launches as any other', async () => {
    const answer = await h.api('POST', '/ioc', {
      body: {
        feed: feed('demo-iocs.stix.json'),
        source: 'demo-iocs.stix.json',
        target: 'all',
        paths: ['/var/www'],
        expiry: '30m',
      },
    });
    expect(answer.status).toBe(200);
    const reply = IocResponseSchema.parse(answer.body);
    expect(reply.format).toBe('stix');
    expect(reply.actions.length).toBeGreaterThan(0);
    const modules = reply.actions.flatMap((a) => a.action.operations.map((o) => o.module));
    expect(modules).toContain('file');
    expect(modules).toContain('netstat');
    for (const { action } of reply.actions) {
      expect(action.target).toBe('all');
      expect(new Date(action.expireAfter).getTime() - new Date(action.validFrom).getTime()).toBe(30 * 60_000);
      expect(action.name).toContain('demo-iocs.stix.json');
    }
    const file = reply.actions.flatMap((a) => a.action.operations).find((o) => o.module === 'file');
    expect(JSON.stringify(file?.parameters)).toContain('"/var/www"');
    // The feed's host names and URLs are listed with their reason, never dropped.
    expect(reply.untranslated.length).toBeGreaterThan(0);
    for (const u of reply.untranslated) expect(u.reason).not.toBe('');
    expect(reply.actions.flatMap((a) => a.indicators).every((i) => i.id !== '' && i.name !== '')).toBe(true);

    // The server cannot sign; the client does, and the action goes through POST /actions.
    const first = reply.actions[0];
    if (first === undefined) throw new Error('no action');
    const launched = await h.submit(await signAs(first.action, ['alice']));
    expect(launched.status).toBe(201);
  });

  it('reads a plain list and a YARA file, the format guessed or given', async () => {
    const list = await h.api('POST', '/ioc', { body: { feed: feed('demo-iocs.txt') } });
    expect(list.status).toBe(200);
    const listReply = IocResponseSchema.parse(list.body);
    expect(listReply.format).toBe('list');
    expect(listReply.actions[0]?.action.target).toBe("status = 'online'");
    const yara = await h.api('POST', '/ioc', { body: { feed: feed('demo-iocs.yar'), format: 'yara' } });
    expect(yara.status).toBe(200);
    const yaraReply = IocResponseSchema.parse(yara.body);
    expect(yaraReply.actions.flatMap((a) => a.action.operations.map((o) => o.module))).toEqual(['yara']);
    expect(yaraReply.actions[0]?.indicators.every((i) => i.kind === 'yara')).toBe(true);
  });

  it.each([
    { name: 'no feed', body: { target: 'all' }, field: 'feed' },
    { name: 'an unknown format', body: { feed: 'x', format: 'csv' }, field: 'format' },
    { name: 'a relative path', body: { feed: 'evil.php', paths: ['var/www'] }, field: 'paths' },
    { name: 'an expiry past the limit', body: { feed: 'evil.php', expiry: '400d' }, field: 'expiry' },
    { name: 'an unknown field', body: { feed: 'evil.php', signers: ['x'] }, field: 'signers' },
  ])('refuses $name, naming the field', async ({ body, field }) => {
    const answer = await h.api('POST', '/ioc', { body });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('BAD_REQUEST');
    expect(messageOf(answer.body)).toContain(field);
  });

  it('says why when nothing in the feed can be hunted, and when the format is wrong', async () => {
    const hosts = await h.api('POST', '/ioc', { body: { feed: 'evil.example.com\nhttps://bad.example.org/x\n' } });
    expect(hosts.status).toBe(400);
    expect(messageOf(hosts.body)).toMatch(/no indicator could be translated.*host name/);
    const notJson = await h.api('POST', '/ioc', { body: { feed: 'evil.php', format: 'stix' } });
    expect(notJson.status).toBe(400);
    expect(messageOf(notJson.body)).toMatch(/not JSON/);
    const badTarget = await h.api('POST', '/ioc', { body: { feed: 'evil.php', target: "name = 'x" } });
    expect(badTarget.status).toBe(400);
  });

  it('refuses a feed over the size limit before reading it all, and anyone not signed in', async () => {
    const big = await h.api('POST', '/ioc', { body: { feed: 'a'.repeat(MAX_IOC_FEED_CHARS + 1) } });
    expect(big.status).toBe(400);
    expect(messageOf(big.body)).toMatch(/feed.*at most/);
    const huge = await h.api('POST', '/ioc', { body: `{"feed":"${'\\u0041'.repeat(MAX_IOC_FEED_CHARS)}"}` });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe('PAYLOAD_TOO_LARGE');
    const anonymous = await h.api('POST', '/ioc', { body: { feed: 'evil.php' }, authorization: null });
    expect(anonymous.status).toBe(401);
  });
});
