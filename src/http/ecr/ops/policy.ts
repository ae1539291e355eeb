// Get/Set/DeleteRepositoryPolicy: the policy text is checked (berth must be able to enforce every statement it
// accepts), stored as given and echoed back; authorize.ts and the /v2 gate evaluate it on each request.
import { z } from 'zod';
import { parseRepositoryPolicy } from '../../../auth/index.ts';
import { isRegistryError, updateRepository } from '../../../core/index.ts';
import { type EcrCall, operation } from '../context.ts';
import { EcrError, repositoryNotFound } from '../errors.ts';
import { base, repositoryName } from '../validate.ts';

async function storedPolicy(call: EcrCall, name: string): Promise<string> {
  const extras = await call.ctx.deps.meta.repositoryExtras(name);
  if (!extras) throw repositoryNotFound(name, call.ctx.ecr.registryId);
  if (extras.policy === null) {
    throw new EcrError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${call.ctx.ecr.registryId}'`,
    );
  }
  return extras.policy;
}

function answer(call: EcrCall, name: string, policyText: string): object {
  return { registryId: call.ctx.ecr.registryId, repositoryName: name, policyText };
}

export const GetRepositoryPolicy = operation({
  input: z.object({ ...base, repositoryName }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'pull');
    return answer(call, input.repositoryName, await storedPolicy(call, input.repositoryName));
  },
});

export const SetRepositoryPolicy = operation({
  input: z.object({ ...base, repositoryName, policyText: z.string().max(10_240), force: z.boolean().optional() }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'admin');
    try {
      parseRepositoryPolicy(input.policyText);
    } catch (e) {
      if (isRegistryError(e)) throw new EcrError('InvalidParameterException', `Invalid parameter at 'PolicyText' failed to satisfy constraint: '${e.message}'`);
      throw e;
    }
    await updateRepository(call.ctx.deps, input.repositoryName, { policy: input.policyText }, call.actor);
    return answer(call, input.repositoryName, input.policyText);
  },
});

export const DeleteRepositoryPolicy = operation({
  input: z.object({ ...base, repositoryName }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'admin');
    const policy = await storedPolicy(call, input.repositoryName);
    await updateRepository(call.ctx.deps, input.repositoryName, { policy: null }, call.actor);
    return answer(call, input.repositoryName, policy);
  },
});
