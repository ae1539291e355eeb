// DeleteAcrImageTags: the tag goes, and with it the image when that was its last tag (ACR lists images by tag, so an
// untagged image is gone for its users; this is core's dropUntagged rule, under the same pin checks as an image delete).
import { deleteManifest } from '../../../core/index.ts';
import { operation } from '../context.ts';
import { artifactType, region, repoId, tag } from '../validate.ts';
import { findRepository } from './resolve.ts';

export const DeleteAcrImageTags = operation({
  idempotent: true,
  parse: (p, settings) => ({ RegionId: region(p, 'RegionId', settings, true), RepoId: repoId(p), Tag: tag(p), ArtifactType: artifactType(p) }),
  async run(call, input) {
    const repo = await findRepository(call, input.RepoId, input.ArtifactType);
    await call.authorize(repo.name, 'delete');
    await deleteManifest(call.ctx.deps, repo.name, input.Tag, call.actor, { dropUntagged: true, onlyId: repo.id });
    return {};
  },
});
