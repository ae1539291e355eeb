// PutImageTagMutability and the resource-tag operations: repository settings changed through core's
// updateRepository, so an immutable tag (the mode and its exclusion filters) is refused on /v2 as well as through PutImage.
import { z } from 'zod';
import { updateRepository } from '../../../core/index.ts';
import { type EcrCall, operation } from '../context.ts';
import { repositoryNotFound } from '../errors.ts';
import { base, mutabilityFilters, repositoryName, resourceTags, tagMutability } from '../validate.ts';
import { mutabilityShape } from '../wire.ts';
import { checkResourceTags, mutabilitySetting, repositoryOfArn } from './settings-rules.ts';

const resourceArn = z.string().min(1).max(1011);

export const PutImageTagMutability = operation({
  input: z.object({ ...base, repositoryName, imageTagMutability: tagMutability, imageTagMutabilityExclusionFilters: mutabilityFilters.optional() }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'admin');
    const setting = mutabilitySetting(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
    const repo = await updateRepository(call.ctx.deps, input.repositoryName, setting, call.actor);
    return { registryId: call.ctx.ecr.registryId, repositoryName: repo.name, ...mutabilityShape(repo) };
  },
});

async function currentTags(call: EcrCall, name: string): Promise<Record<string, string>> {
  const extras = await call.ctx.deps.meta.repositoryExtras(name);
  if (!extras) throw repositoryNotFound(name, call.ctx.ecr.registryId);
  return extras.resourceTags;
}

export const TagResource = operation({
  input: z.object({ resourceArn, tags: resourceTags }),
  async run(call, input) {
    const name = repositoryOfArn(call.ctx.ecr, input.resourceArn);
    await call.authorize(name, 'admin');
    const setTags = checkResourceTags(await currentTags(call, name), input.tags);
    await updateRepository(call.ctx.deps, name, { setTags }, call.actor);
    return {};
  },
});

export const UntagResource = operation({
  input: z.object({ resourceArn, tagKeys: z.array(z.string().min(1).max(128)).max(200) }),
  async run(call, input) {
    const name = repositoryOfArn(call.ctx.ecr, input.resourceArn);
    await call.authorize(name, 'admin');
    await currentTags(call, name);
    await updateRepository(call.ctx.deps, name, { removeTags: input.tagKeys }, call.actor);
    return {};
  },
});

export const ListTagsForResource = operation({
  input: z.object({ resourceArn }),
  async run(call, input) {
    const name = repositoryOfArn(call.ctx.ecr, input.resourceArn);
    await call.authorize(name, 'pull');
    const tags = await currentTags(call, name);
    return { tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  },
});
