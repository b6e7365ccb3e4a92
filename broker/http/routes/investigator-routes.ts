import { FingerprintSchema } from '../../../protocol/action.js';
import { NewInvestigatorBodySchema } from '../../../protocol/api.js';
import { readJson, parseWith } from '../request.js';
import { investigatorOf, type RequestContext, type Route } from '../router.js';
import type { ApiServices } from '../services.js';

/** /health, /me and investigator management (changes are admin only and audited). */
export function investigatorRoutes(s: ApiServices): Route[] {
  const setStatus = (status: 'active' | 'disabled') => async (ctx: RequestContext) => {
    const fp = parseWith(FingerprintSchema, ctx.params.fp?.toLowerCase(), 'fingerprint');
    return { status: 200, body: await s.investigators.setStatus(fp, status, who(ctx)) };
  };
  return [
    {
      method: 'GET',
      path: '/health',
      access: 'public',
      handle: async () => ({ status: 200, body: { ok: true, version: s.version } }),
    },
    {
      method: 'GET',
      path: '/me',
      access: 'investigator',
      handle: async (ctx) => ({ status: 200, body: ctx.investigator }),
    },
    {
      method: 'GET',
      path: '/investigators',
      access: 'investigator',
      handle: async () => ({ status: 200, body: { investigators: s.investigators.list() } }),
    },
    {
      method: 'POST',
      path: '/investigators',
      access: 'admin',
      handle: async (ctx) => {
        const body = parseWith(NewInvestigatorBodySchema, await readJson(ctx.req), 'body');
        return { status: 201, body: await s.investigators.add(body, who(ctx)) };
      },
    },
    { method: 'POST', path: '/investigators/:fp/disable', access: 'admin', handle: setStatus('disabled') },
    { method: 'POST', path: '/investigators/:fp/enable', access: 'admin', handle: setStatus('active') },
  ];
}

function who(ctx: RequestContext): string {
  return investigatorOf(ctx).fingerprint;
}
