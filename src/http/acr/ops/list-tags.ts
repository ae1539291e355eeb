// ListAcrImageTags: a repository's tags in name order with the size a pull of each downloads (a string, as the API
// types it: config plus layers, read from the manifest), CreateTime = when the image was pushed, ModifiedTime = when
// the tag last moved.
import { imageFacts, type TagDetail } from '../../../core/index.ts';
import { type AcrCall, operation } from '../context.ts';
import { repositoryNotFound } from '../errors.ts';
import { decodeToken, encodeToken } from '../paging.ts';
import { artifactType, maxResults, optional, repoId } from '../validate.ts';
import { isoTime } from '../wire.ts';
import { findRepository } from './resolve.ts';

async function shape(call: AcrCall, repository: string, t: TagDetail): Promise<Record<string, unknown>> {
  const stored = await call.ctx.deps.meta.getManifest(repository, { digest: t.digest });
  const facts = imageFacts({ mediaType: t.mediaType, artifactType: t.artifactType, size: t.manifestSize }, stored?.body ?? null);
  return { Tag: t.tag, ImageSize: String(facts.size), CreateTime: isoTime(t.pushedAt), ModifiedTime: isoTime(t.taggedAt) };
}

export const ListAcrImageTags = operation({
  idempotent: false,
  parse: (p) => ({ RepoId: repoId(p), ArtifactType: artifactType(p), MaxResults: maxResults(p), NextToken: optional(p, 'NextToken', 2048) }),
  async run(call, q) {
    const { meta } = call.ctx.deps;
    const repo = await findRepository(call, q.RepoId, q.ArtifactType);
    await call.authorize(repo.name, 'pull');
    const position = q.NextToken === undefined ? null : decodeToken('ListAcrImageTags', q.NextToken, { repo: repo.id });
    const after = typeof position?.after === 'string' ? position.after : undefined;
    const found = await meta.listTagDetails(repo.name, { after, limit: q.MaxResults + 1 });
    if (found === null) throw repositoryNotFound(q.RepoId);
    const page = found.slice(0, q.MaxResults);
    const Images = [];
    for (const t of page) Images.push(await shape(call, repo.name, t));
    const total = (await meta.repositorySummary(repo.name))?.tagCount ?? 0;
    const next = found.length > q.MaxResults ? encodeToken('ListAcrImageTags', { repo: repo.id, after: page.at(-1)!.tag }) : undefined;
    return { TotalCount: total, MaxResults: q.MaxResults, ...(next === undefined ? {} : { NextToken: next }), Images };
  },
});
