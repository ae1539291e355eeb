// The repository an SWR path names: namespace and "$"-joined name checked against SWR's rules, the namespace known,
// so every operation answers an unknown namespace, an unknown repository and a broken name the same way.
import type { RepositorySummary } from '../../../core/index.ts';
import { noRightsIn, seesNamespace } from '../authorize.ts';
import type { SwrCall } from '../context.ts';
import { namespaceNotFound, repositoryNotFound } from '../errors.ts';
import { fullName, parseNamespace, parseRepository } from '../names.ts';
import { type RepoView, swrSettings } from '../wire.ts';

export interface NamedRepository {
  namespace: string;
  /** Inside the namespace, with slashes. */
  repository: string;
  /** The berth repository name ("ns/team/app"). */
  name: string;
}

/** Names from the path, validated; the namespace must exist (explicitly or through a repository). */
export async function pathRepository(call: SwrCall): Promise<NamedRepository> {
  const namespace = parseNamespace(call.route.namespace ?? '');
  const repository = parseRepository(call.route.repository ?? '');
  // A key with no rights in the namespace gets the same refusal, word for word, whether or not it exists: checked
  // before the lookup, since a 404 or a message naming the repository would tell.
  if (!seesNamespace(call.caller, namespace)) throw noRightsIn(call.caller, namespace);
  if (!(await call.ctx.deps.meta.findNamespace(namespace))) throw namespaceNotFound(namespace);
  return { namespace, repository, name: fullName(namespace, repository) };
}

export async function summaryOf(call: SwrCall, r: NamedRepository): Promise<RepositorySummary> {
  const summary = await call.ctx.deps.meta.repositorySummary(r.name);
  if (!summary) throw repositoryNotFound(r.namespace, r.repository);
  return summary;
}

/** What the repository shapes need, for a repository known to exist (its settings read alongside). */
export async function viewOf(call: SwrCall, summary: RepositorySummary): Promise<RepoView> {
  return viewFrom(call, summary, (await call.ctx.deps.meta.repositoryExtras(summary.name))?.settings);
}

/** The same from settings already read (a listing reads a page's at once). */
export function viewFrom(call: SwrCall, summary: RepositorySummary, settings: Record<string, unknown> | undefined): RepoView {
  const slash = summary.name.indexOf('/');
  return {
    summary,
    settings: swrSettings(settings),
    namespace: summary.name.slice(0, slash),
    repository: summary.name.slice(slash + 1),
    host: call.host,
  };
}
