import { PolicyPostBodySchema, PolicySignatureBodySchema } from '../../../protocol/policy-api.js';
import { POLICY_LIMITS } from '../../../protocol/policy.js';
import type { PolicyService } from '../../policy/policy-service.js';
import { parseWith, readJson } from '../request.js';
import { investigatorOf, type Route } from '../router.js';

/** A bundle's text escaped inside a JSON body can double in size. */
const MAX_POLICY_BODY_BYTES = 2 * POLICY_LIMITS.maxBytes + 1024;

/**
 * /policy: anyone may read the bundles; only admins hand in a signed bundle or a co-signature.
 * The server never signs: it checks and relays (broker/policy/policy-service.ts).
 */
export function policyRoutes(policy: PolicyService, pushToConnected: () => number): Route[] {
  return [
    {
      method: 'GET',
      path: '/policy',
      access: 'investigator',
      handle: async () => ({ status: 200, body: await policy.view() }),
    },
    {
      method: 'POST',
      path: '/policy',
      access: 'admin',
      handle: async (ctx) => {
        const body = parseWith(PolicyPostBodySchema, await readJson(ctx.req, MAX_POLICY_BODY_BYTES), 'body');
        const outcome = await policy.submit(body.bundle, investigatorOf(ctx));
        const pushedTo = outcome.status === 'published' ? pushToConnected() : undefined;
        return {
          status: outcome.status === 'published' ? 201 : 202,
          body: { ...outcome, ...(pushedTo === undefined ? {} : { pushedTo }) },
        };
      },
    },
    {
      method: 'POST',
      path: '/policy/signatures',
      access: 'admin',
      handle: async (ctx) => {
        const body = parseWith(PolicySignatureBodySchema, await readJson(ctx.req), 'body');
        const outcome = await policy.addSignature(body.version, body.signature, investigatorOf(ctx));
        const pushedTo = outcome.status === 'published' ? pushToConnected() : undefined;
        return { status: 200, body: { ...outcome, ...(pushedTo === undefined ? {} : { pushedTo }) } };
      },
    },
  ];
}
