import { createHmac } from 'node:crypto';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { connect as netConnect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { NdjsonOutput, SyslogOutput, WebhookOutput } from './config.js';

/** Delivers one event (a JSON line). Throws when it could not: the queue keeps the event. */
export interface Sink {
  readonly name: string;
  deliver(line: string): Promise<void>;
  close(): Promise<void>;
}

/** A failure that retrying will not fix (a webhook answering 400): the event goes to the dead letters. */
export class PermanentFailure extends Error {}

/** NDJSON file, rotated at maxBytes into FILE.1 … FILE.<keep>. */
export function ndjsonSink(out: NdjsonOutput): Sink {
  let isDirMade = false;
  return {
    name: `ndjson ${out.path}`,
    async deliver(line) {
      if (!isDirMade) {
        await mkdir(dirname(out.path), { recursive: true });
        isDirMade = true;
      }
      const size = await stat(out.path).then(
        (s) => s.size,
        () => 0,
      );
      if (size > 0 && size + line.length + 1 > out.maxBytes) {
        await rm(`${out.path}.${out.keep}`, { force: true });
        for (let i = out.keep - 1; i >= 1; i--)
          await rename(`${out.path}.${i}`, `${out.path}.${i + 1}`).catch(() => undefined);
        await rename(out.path, `${out.path}.1`);
      }
      await appendFile(out.path, `${line}\n`, { mode: 0o640 });
    },
    close: () => Promise.resolve(),
  };
}

const FACILITIES: Readonly<Record<string, number>> = {
  user: 1,
  daemon: 3,
  auth: 4,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};
/** Found something or not compliant: warning (4); the rest: informational (6). */
function severityOf(line: string): number {
  return /"kind":"alert"|"outcome":"failure"/.test(line) ? 4 : 6;
}

/** RFC 5424 header + the JSON event as MSG (no structured data: the JSON carries it all). */
export function syslogMessage(
  line: string,
  out: Pick<SyslogOutput, 'facility' | 'appName'>,
  at: Date,
  host = hostname(),
): string {
  const pri = (FACILITIES[out.facility] ?? 16) * 8 + severityOf(line);
  const msgid = /"dataset":"mig\.([a-z]+)"/.exec(line)?.[1] ?? '-';
  const clean = (s: string, max: number): string => s.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-';
  return `<${pri}>1 ${at.toISOString()} ${clean(host, 255)} ${clean(out.appName, 48)} ${process.pid} ${clean(msgid, 32)} - ${line}`;
}

/** Syslog over UDP (one datagram per event), TCP or TLS (RFC 6587 / 5425 octet counting). */
export function syslogSink(out: SyslogOutput, now: () => Date): Sink {
  const url = new URL(out.url);
  const port = Number(url.port || (url.protocol === 'tls:' ? 6514 : 514));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let socket: Socket | undefined;
  let udp: DgramSocket | undefined;
  const stream = async (): Promise<Socket> => {
    if (socket !== undefined && !socket.destroyed) return socket;
    socket = await new Promise<Socket>((resolve, reject) => {
      const s =
        url.protocol === 'tls:'
          ? tlsConnect({ host, port, servername: host, ...(out.ca === undefined ? {} : { ca: out.ca }) }, () =>
              resolve(s),
            )
          : netConnect({ host, port }, () => resolve(s));
      s.once('error', reject);
      s.setTimeout(30_000, () => s.destroy(new Error('syslog connection timed out')));
    });
    socket.on('error', () => socket?.destroy());
    return socket;
  };
  return {
    name: `syslog ${out.url}`,
    async deliver(line) {
      const message = Buffer.from(syslogMessage(line, out, now()));
      if (url.protocol === 'udp:') {
        // A datagram over 64 KiB cannot be sent: cut it rather than lose the event.
        const datagram =
          message.length > 65_000 ? Buffer.concat([message.subarray(0, 64_900), Buffer.from('…[truncated]')]) : message;
        // One socket for the sink's life, not one per event.
        udp ??= createSocket(host.includes(':') ? 'udp6' : 'udp4');
        const socket = udp;
        await new Promise<void>((resolve, reject) =>
          socket.send(datagram, port, host, (err) => (err ? reject(err) : resolve())),
        );
        return;
      }
      const s = await stream();
      await new Promise<void>((resolve, reject) =>
        s.write(Buffer.concat([Buffer.from(`${message.length} `), message]), (err) => (err ? reject(err) : resolve())),
      );
    },
    async close() {
      socket?.end();
      socket = undefined;
      udp?.close();
      udp = undefined;
    },
  };
}

/**
 * HTTP POST of each event as JSON, signed: `X-MIG-Signature: sha256=HMAC(secret, timestamp + "." + body)`
 * with `X-MIG-Timestamp`, so a receiver can check origin and refuse replays. 2xx: delivered;
 * 408, 429 and 5xx: retried later; other 4xx: a permanent failure (dead letters).
 */
export function webhookSink(out: WebhookOutput, secret: string, now: () => Date): Sink {
  return {
    name: `webhook ${out.url}`,
    async deliver(line) {
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const signature = createHmac('sha256', secret).update(`${timestamp}.${line}`).digest('hex');
      const eventId = /"id":"([0-9a-f-]{36})"/.exec(line)?.[1] ?? '';
      const res = await fetch(out.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-mig-signature': `sha256=${signature}`,
          'x-mig-timestamp': timestamp,
          'x-mig-event-id': eventId,
        },
        body: line,
        signal: AbortSignal.timeout(out.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      const message = `${out.url} answered ${res.status}`;
      if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(message);
      throw new PermanentFailure(message);
    },
    close: () => Promise.resolve(),
  };
}
