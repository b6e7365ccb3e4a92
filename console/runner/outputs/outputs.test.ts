import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputDispatcher } from './dispatcher.js';
import { DiskQueue } from './disk-queue.js';
import { runnerEvent, type OutputEvent } from './ecs.js';
import { ndjsonSink, syslogMessage, syslogSink, webhookSink } from './sinks.js';

const NOW = new Date('2026-12-07T03:00:00.000Z');
const SECRET = 'a-webhook-secret-of-some-length';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-outputs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (n: number): OutputEvent => runnerEvent('test', `event ${n}`, NOW.toISOString(), { n });
const quiet = (): void => undefined;

/** A real HTTP receiver: answers with `statuses` in turn (then 200), records what it got. */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; got: { body: string; headers: NodeJS.Dict<string | string[]> }[]; server: HttpServer }> {
  const got: { body: string; headers: NodeJS.Dict<string | string[]> }[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) got.push({ body, headers: req.headers });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/ingest`, got, server };
}

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('disk queue', () => {
  it('keeps what was not acknowledged across a reopen, and compacts', async () => {
    const q = await DiskQueue.open(dir);
    await q.push(['{"a":1}', '{"a":2}', '{"a":3}']);
    const first = await q.pending(2);
    expect(first.map((p) => p.line)).toEqual(['{"a":1}', '{"a":2}']);
    await q.ack(first[0]?.end ?? 0);
    const again = await DiskQueue.open(dir);
    expect((await again.pending(10)).map((p) => p.line)).toEqual(['{"a":2}', '{"a":3}']);
  });

  it('reads past a line longer than its read window, and holds back a torn last line', async () => {
    const q = await DiskQueue.open(dir);
    const long = JSON.stringify({ big: 'x'.repeat(3 * 1024 * 1024) });
    await q.push([long, '{"after":1}']);
    const got = await q.pending(10);
    expect(got.map((p) => p.line.length)).toEqual([long.length, '{"after":1}'.length]);
    await q.ack(got[1]?.end ?? 0);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(dir, 'queue.ndjson'), '{"torn":');
    expect(await q.pending(10)).toEqual([]);
  });
});

describe('sinks', () => {
  it('syslog: RFC 5424 header, the JSON event as the message, warning for alerts', () => {
    const line = JSON.stringify({ event: { kind: 'alert', dataset: 'mig.result' } });
    expect(syslogMessage(line, { facility: 'local0', appName: 'mig' }, NOW, 'runner-host')).toBe(
      `<132>1 2026-12-07T03:00:00.000Z runner-host mig ${process.pid} result - ${line}`,
    );
    expect(
      syslogMessage('{"event":{"kind":"event"}}', { facility: 'auth', appName: 'mig' }, NOW, 'h').startsWith('<38>1 '),
    ).toBe(true);
  });

  it('syslog over UDP and TCP (octet counting) reach real listeners', async () => {
    const udp = createSocket('udp4');
    const datagrams: string[] = [];
    udp.on('message', (m) => datagrams.push(m.toString('utf8')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    let tcpData = '';
    const tcp: TcpServer = createTcpServer((s) => s.on('data', (c: Buffer) => (tcpData += c.toString('utf8'))));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const tcpPort = (tcp.address() as { port: number }).port;
    const udpSink = syslogSink(
      { type: 'syslog', url: `udp://127.0.0.1:${udp.address().port}`, facility: 'local0', appName: 'mig' },
      () => NOW,
    );
    const tcpSink = syslogSink(
      { type: 'syslog', url: `tcp://127.0.0.1:${tcpPort}`, facility: 'local0', appName: 'mig' },
      () => NOW,
    );
    await udpSink.deliver(JSON.stringify(event(1)));
    await tcpSink.deliver(JSON.stringify(event(2)));
    await tcpSink.deliver(JSON.stringify(event(3)));
    await until(() => datagrams.length === 1 && tcpData.includes('event 3'));
    expect(datagrams[0]).toMatch(/^<134>1 .* mig \d+ runner - \{.*"message":"event 1"/);
    // Octet counting: "LEN SP MSG" twice, each length exact.
    const frames: string[] = [];
    let rest = Buffer.from(tcpData);
    while (rest.length > 0) {
      const sp = rest.indexOf(0x20);
      const len = Number(rest.subarray(0, sp).toString());
      frames.push(rest.subarray(sp + 1, sp + 1 + len).toString());
      rest = rest.subarray(sp + 1 + len);
    }
    expect(frames.map((f) => (JSON.parse(f.slice(f.indexOf('{'))) as OutputEvent).message)).toEqual([
      'event 2',
      'event 3',
    ]);
    await udpSink.close();
    await tcpSink.close();
    udp.close();
    tcp.close();
  });

  it('webhook: each event POSTed with an HMAC over timestamp and body', async () => {
    const r = await receiver();
    const sink = webhookSink({ type: 'webhook', url: r.url, secretFile: 'x', timeoutMs: 5_000 }, SECRET, () => NOW);
    const line = JSON.stringify(event(1));
    await sink.deliver(line);
    const [got] = r.got;
    expect(got?.body).toBe(line);
    const ts = String(got?.headers['x-mig-timestamp']);
    expect(ts).toBe(String(NOW.getTime() / 1000));
    expect(got?.headers['x-mig-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(`${ts}.${line}`).digest('hex')}`,
    );
    expect(got?.headers['x-mig-event-id']).toBe((JSON.parse(line) as OutputEvent).event.id);
    r.server.close();
  });

  it('ndjson: appends, and rotates past maxBytes keeping `keep` files', async () => {
    const path = join(dir, 'out', 'mig.ndjson');
    const sink = ndjsonSink({ type: 'ndjson', path, maxBytes: 4096, keep: 2 });
    for (let i = 0; i < 40; i++) await sink.deliver(JSON.stringify(event(i)));
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['mig.ndjson', 'mig.ndjson.1', 'mig.ndjson.2']);
    const last = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as OutputEvent).message);
    expect(last.at(-1)).toBe('event 39');
  });
});

describe('dispatcher', () => {
  it('an unreachable webhook loses nothing: queued on disk, delivered in order once it is back, across a restart', async () => {
    const r = await receiver([503, 503]);
    const make = () =>
      webhookSink({ type: 'webhook', url: r.url, secretFile: 'x', timeoutMs: 5_000 }, SECRET, () => NOW);
    const first = await OutputDispatcher.open([make()], { stateDir: dir, log: quiet, backoffMs: 20, maxBackoffMs: 40 });
    await first.publish([event(1), event(2)]);
    await until(() => r.got.length === 2);
    expect(r.got.map((g) => (JSON.parse(g.body) as OutputEvent).message)).toEqual(['event 1', 'event 2']);
    await first.close();

    // The receiver goes away; events wait on disk; a new runner process delivers them.
    await new Promise<void>((res) => r.server.close(() => res()));
    const down = await OutputDispatcher.open([make()], { stateDir: dir, log: quiet, backoffMs: 20, maxBackoffMs: 40 });
    await down.publish([event(3)]);
    expect(await down.drained(300)).toBe(false);
    await down.close();
    const back = await receiver();
    const sink = webhookSink({ type: 'webhook', url: back.url, secretFile: 'x', timeoutMs: 5_000 }, SECRET, () => NOW);
    const later = await OutputDispatcher.open([sink], { stateDir: dir, log: quiet, backoffMs: 20 });
    expect(await later.drained(10_000)).toBe(true);
    expect(back.got.map((g) => (JSON.parse(g.body) as OutputEvent).message)).toEqual(['event 3']);
    await later.close();
    back.server.close();
  });

  it('a 400 is permanent: the event goes to dead letters and the queue moves on', async () => {
    const r = await receiver([400]);
    const lines: string[] = [];
    const d = await OutputDispatcher.open(
      [webhookSink({ type: 'webhook', url: r.url, secretFile: 'x', timeoutMs: 5_000 }, SECRET, () => NOW)],
      { stateDir: dir, log: (l) => lines.push(l), backoffMs: 20 },
    );
    await d.publish([event(1), event(2)]);
    expect(await d.drained(10_000)).toBe(true);
    expect(r.got.map((g) => (JSON.parse(g.body) as OutputEvent).message)).toEqual(['event 2']);
    expect(await readFile(join(dir, 'queue-1', 'dead-letters.ndjson'), 'utf8')).toContain('event 1');
    expect(lines.join('\n')).toMatch(/answered 400; event kept in .*dead-letters\.ndjson/);
    await d.close();
    r.server.close();
  });
});
