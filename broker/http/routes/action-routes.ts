import { z } from 'zod';
import { ACTION_STATUSES, ActionIdSchema } from '../../../protocol/action.js';
import { AddSignatureBodySchema } from '../../../protocol/api.js';
import { UserError } from '../../../protocol/errors.js';
import { parseWith, queryObject, readJson } from '../request.js';
import { investigatorOf, type RequestContext, type Route } from '../router.js';
import type { ApiServices } from '../services.js';

const Limit = z.coerce.number().int().min(1).max(10_000).default(100);
const Offset = z.coerce.number().int().min(0).default(0);
const ActionsQuery = z.strictObject({ limit: Limit, offset: Offset, status: z.enum(ACTION_STATUSES).optional() });
const CommandsQuery = z.strictObject({
  limit: Limit,
  offset: Offset,
  found: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/**
 * Submit, list, inspect, co-sign and cancel actions. The body of POST /actions is the signed
 * action itself; POST /actions/:id/signatures adds a second investigator's signature to an
 * action held for approval (two-person rule) and launches it once there are enough.
 */
export function actionRoutes(s: ApiServices): Route[] {
  const actionId = (ctx: RequestContext): string => parseWith(ActionIdSchema, ctx.params.id, 'action id');
  const existing = async (id: string) => {
    const action = await s.store.getAction(id);
    if (action === undefined) throw new UserError('NOT_FOUND', `no action ${id}`, 'GET /actions lists them');
    return action;
  };
  return [
    {
      method: 'POST',
      path: '/actions',
      access: 'investigator',
      handle: async (ctx) => ({
        status: 201,
        body: await s.scheduler.submit(await readJson(ctx.req), investigatorOf(ctx)),
      }),
    },
    {
      method: 'GET',
      path: '/actions',
      access: 'investigator',
      handle: async (ctx) => ({
        status: 200,
        body: await s.store.listActions(parseWith(ActionsQuery, queryObject(ctx.url), 'query')),
      }),
    },
    {
      method: 'GET',
      path: '/actions/:id',
      access: 'investigator',
      handle: async (ctx) => ({ status: 200, body: await existing(actionId(ctx)) }),
    },
    {
      method: 'POST',
      path: '/actions/:id/signatures',
      access: 'investigator',
      handle: async (ctx) => {
        const id = actionId(ctx);
        const body = parseWith(AddSignatureBodySchema, await readJson(ctx.req), 'body');
        return { status: 200, body: await s.scheduler.addSignature(id, body.signature, investigatorOf(ctx)) };
      },
    },
    {
      method: 'POST',
      path: '/actions/:id/cancel',
      access: 'investigator',
      handle: async (ctx) => ({ status: 200, body: await s.scheduler.cancel(actionId(ctx), investigatorOf(ctx)) }),
    },
    {
      method: 'GET',
      path: '/actions/:id/commands',
      access: 'investigator',
      handle: async (ctx) => {
        const id = actionId(ctx);
        const q = parseWith(CommandsQuery, queryObject(ctx.url), 'query');
        await existing(id);
        return { status: 200, body: await s.store.listCommands(id, q) };
      },
    },
  ];
}
