// Registry-wide operations: GetAuthorizationToken (a docker login password for the caller's key, good on /v2 for
// 12 hours) and DescribeRegistry (berth replicates nothing).
import { z } from 'zod';
import { LOGIN_USER } from '../../../auth/index.ts';
import { operation } from '../context.ts';
import { registryId } from '../validate.ts';
import { epoch } from '../wire.ts';

/** ECR's authorization tokens last 12 hours. */
export const LOGIN_TTL_SECONDS = 12 * 3600;

export const GetAuthorizationToken = operation({
  input: z.object({ registryIds: z.array(registryId).min(1).max(10).optional() }),
  async run(call) {
    const { token, expiresAt } = await call.ctx.signatures.issueLoginToken(call.caller.principal, LOGIN_TTL_SECONDS);
    return {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`${LOGIN_USER}:${token}`, 'utf8').toString('base64'),
          expiresAt: epoch(expiresAt),
          proxyEndpoint: call.origin,
        },
      ],
    };
  },
});

export const DescribeRegistry = operation({
  input: z.object({}),
  async run(call) {
    return { registryId: call.ctx.ecr.registryId, replicationConfiguration: { rules: [] } };
  },
});
