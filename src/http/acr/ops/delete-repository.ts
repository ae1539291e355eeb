// DeleteAcrImageRepositories: the repository and everything in it go in one O(1) metadata change (forced, as the API
// promises), unless a deployment pin protects an image in it; the space comes back through GC.
import { deleteRepository } from '../../../core/index.ts';
import { ECR_REPOSITORY_DELETE } from '../../common/access.ts';
import { operation } from '../context.ts';
import { artifactType, region, repoId } from '../validate.ts';
import { findRepository } from './resolve.ts';

export const DeleteAcrImageRepositories = operation({
  idempotent: true,
  parse: (p, settings) => ({ RegionId: region(p, 'RegionId', settings, true), RepoId: repoId(p), ArtifactType: artifactType(p) }),
  async run(call, input) {
    const repo = await findRepository(call, input.RepoId, input.ArtifactType);
    await call.authorize(repo.name, 'delete', ECR_REPOSITORY_DELETE);
    await deleteRepository(call.ctx.deps, repo.name, true, call.actor, { onlyId: repo.id });
    return {};
  },
});
