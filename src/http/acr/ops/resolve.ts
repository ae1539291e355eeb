// RepoId to repository: the stable "crr-" id from the foundation, visible only when it holds the ArtifactType the
// caller names (an image repository does not exist as a HelmChart, and the other way round).
import type { Repository } from '../../../core/index.ts';
import type { AcrCall } from '../context.ts';
import { repositoryNotFound } from '../errors.ts';
import { type ArtifactType, kindOf } from '../wire.ts';

export async function findRepository(call: AcrCall, repoId: string, type: ArtifactType): Promise<Repository> {
  const repo = await call.ctx.deps.meta.findRepositoryById(repoId);
  if (repo === null || repo.artifactKind !== kindOf(type)) throw repositoryNotFound(repoId);
  return repo;
}
