import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { API_PREFIX } from '../../protocol/api.js';
import { UserError } from '../../protocol/errors.js';
import { checkToken, type TokenCheckDeps } from '../auth/token.js';
import { errorReply } from './errors.js';
import { matchRoute, type Route } from './router.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  routes: readonly Route[];
  auth: TokenCheckDeps;
  /** PEM contents: serve HTTPS with this certificate. */
  tls?: { cert: string; key: string };
  log: (msg: string) => void;
}

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A request node:http refused before any handler ran (headers or URL over its 16 KiB limit, a
 * malformed request line): without this listener Node answers a bare 400/431 with no body, so
 * even these get the API's coded error body (found by the fuzz suite, test/fuzz/http-api).
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const isTooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = isTooLarge ? 431 : 400;
  const error = isTooLarge
    ? { code: 'PAYLOAD_TOO_LARGE', message: "request line or headers are over the server's limit (16 KiB)" }
    : { code: 'BAD_REQUEST', message: `malformed HTTP request (${err.code ?? 'unknown'})` };
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** node:http with a small router: everything under API_PREFIX is JSON, errors are coded. */
export async function startApiServer(opts: ApiServerOptions): Promise<RunningApi> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, opts).catch((err: unknown) => send(res, errorReply(err, opts.log)));
  };
  const server =
    opts.tls === undefined
      ? http.createServer(onRequest)
      : https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest);
  // Typed: on the http | https union `on` has no single overload, so `socket` would be `any`.
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.on('clientError', (err: Error, socket: Duplex) => answerClientError(err, socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${opts.tls === undefined ? 'http' : 'https'}://${host}:${port}${API_PREFIX}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // SSE streams never end on their own.
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ApiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith(`${API_PREFIX}/`))
    throw new UserError('NOT_FOUND', `no route ${url.pathname}`, `the API lives under ${API_PREFIX}`);
  const match = matchRoute(opts.routes, req.method ?? 'GET', url.pathname.slice(API_PREFIX.length));
  if (match === undefined) throw new UserError('NOT_FOUND', `no route ${req.method ?? ''} ${url.pathname}`);
  if ('allowed' in match) {
    res.setHeader('allow', match.allowed.join(', '));
    const message = `${req.method ?? ''} is not allowed on ${url.pathname}; use ${match.allowed.join(' or ')}`;
    send(res, { status: 405, body: { error: { code: 'BAD_REQUEST', message } } });
    return;
  }
  const { route, params } = match;
  const investigator = route.access === 'public' ? undefined : await checkToken(req.headers.authorization, opts.auth);
  if (route.access === 'admin' && investigator?.isAdmin !== true) {
    throw new UserError('FORBIDDEN', `${investigator?.name ?? 'you'} is not an admin`, 'ask an admin to do this');
  }
  const reply = await route.handle({ req, res, url, params, investigator });
  if (reply !== undefined) send(res, reply);
}

function send(res: ServerResponse, reply: { status: number; body: unknown }): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
