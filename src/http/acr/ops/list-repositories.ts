// ListAcrImageRepositories: the repositories of one ArtifactType the caller may see (shared/visibility.ts), filtered by name, paged by name.
// TotalCount is counted once, when a listing starts (a walk over repository names, each page's policies and rows read
// in one statement each, bounded), and carried in the NextToken, so later pages cost only their own rows.
import { namespaceOf, type Repository } from '../../../core/index.ts';
import { visibleAmong, visibleToCaller } from '../../common/visibility.ts';
import { type AcrCall, operation } from '../context.ts';
import { decodeToken, encodeToken } from '../paging.ts';
import { artifactType, maxResults, optional } from '../validate.ts';
import { type ArtifactType, isoTime, kindOf } from '../wire.ts';

const SCAN_PAGE = 500;
/** Names examined per call at most; a registry beyond this reports the count of the first ones (see docs/ACR.md). */
export const MAX_SCAN = 100_000;

interface Query {
  ArtifactType: ArtifactType;
  RepoName: string | undefined;
  MaxResults: number;
  NextToken: string | undefined;
}

/** Repositories after `after` (by name) that match the query and that the caller may pull, in name order. */
async function* matching(call: AcrCall, q: Query, after: string | undefined): AsyncGenerator<Repository> {
  const { meta } = call.ctx.deps;
  const kind = kindOf(q.ArtifactType);
  const visible = visibleToCaller(call.ctx.signatures, call.caller.principal);
  let cursor = after;
  for (let scanned = 0; scanned < MAX_SCAN; ) {
    const names = await meta.listRepositories({ after: cursor, limit: SCAN_PAGE });
    const named = q.RepoName === undefined ? names : names.filter((n) => n.includes(q.RepoName!));
    const shown = await visibleAmong(visible, named);
    // The artifact kind is on the repository's row: the page's rows in one read, not one a name.
    const rows = await meta.repositoriesWithExtras(shown);
    for (const name of shown) {
      const repo = rows.get(name)?.repository;
      if (repo !== undefined && repo.artifactKind === kind) yield repo;
    }
    scanned += names.length;
    if (names.length < SCAN_PAGE) return;
    cursor = names.at(-1)!;
  }
}

async function shape(call: AcrCall, repo: Repository): Promise<Record<string, unknown> | null> {
  const summary = await call.ctx.deps.meta.repositorySummary(repo.name);
  if (summary === null) return null;
  const namespace = namespaceOf(repo.name);
  return {
    RepoId: repo.id,
    RepoName: namespace === '' ? repo.name : repo.name.slice(namespace.length + 1),
    Namespace: namespace,
    // Without auth anyone may pull; otherwise only keys granted pull.
    RepoType: call.ctx.signatures.mode === 'none' ? 'Public' : 'Private',
    CreateTime: isoTime(summary.createdAt),
    ModifiedTime: isoTime(summary.updatedAt),
  };
}

export const ListAcrImageRepositories = operation({
  idempotent: false,
  parse: (p): Query => ({
    ArtifactType: artifactType(p),
    RepoName: optional(p, 'RepoName', 256),
    MaxResults: maxResults(p),
    NextToken: optional(p, 'NextToken', 2048),
  }),
  async run(call, q) {
    const filter = `${q.ArtifactType}\0${q.RepoName ?? ''}`;
    const position = q.NextToken === undefined ? null : decodeToken('ListAcrImageRepositories', q.NextToken, { f: filter });
    const page: Repository[] = [];
    let total = typeof position?.total === 'number' ? position.total : 0;
    let more = false;
    for await (const repo of matching(call, q, typeof position?.after === 'string' ? position.after : undefined)) {
      if (page.length < q.MaxResults) page.push(repo);
      else more = true;
      if (position === null) total++;
      else if (more) break;
    }
    const Repositories = [];
    for (const repo of page) {
      const shaped = await shape(call, repo);
      if (shaped !== null) Repositories.push(shaped);
    }
    const next = more ? encodeToken('ListAcrImageRepositories', { after: page.at(-1)!.name, total, f: filter }) : undefined;
    return { TotalCount: total, MaxResults: q.MaxResults, ...(next === undefined ? {} : { NextToken: next }), Repositories };
  },
});
