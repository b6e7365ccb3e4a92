import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvestigatorRecord } from '../../protocol/api.js';
import { BugError } from '../../protocol/errors.js';

export type Access = 'public' | 'investigator' | 'admin';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** `:name` segments of the route, URI-decoded. */
  params: Readonly<Record<string, string>>;
  /** The authenticated investigator (undefined only on public routes). */
  investigator: InvestigatorRecord | undefined;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** Returns a JSON reply, or undefined when it wrote the response itself (SSE). */
export type Handler = (ctx: RequestContext) => Promise<Reply | undefined>;

export interface Route {
  method: 'GET' | 'POST';
  /** Under the API prefix, e.g. `/actions/:id/cancel`. */
  path: string;
  access: Access;
  handle: Handler;
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

/** Segment-by-segment matching; literal routes listed before `:param` ones win. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): Match {
  const parts = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path.split('/').slice(1), parts);
    if (params === undefined) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function matchPath(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of pattern.entries()) {
    const part = parts[i] ?? '';
    if (seg.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return undefined;
      }
      if (value === '') return undefined;
      params[seg.slice(1)] = value;
    } else if (seg !== part) {
      return undefined;
    }
  }
  return params;
}

/** The investigator of a route that is not public (the server authenticated them before the handler). */
export function investigatorOf(ctx: RequestContext): InvestigatorRecord {
  if (ctx.investigator === undefined) throw new BugError('an authenticated route ran without an investigator');
  return ctx.investigator;
}
