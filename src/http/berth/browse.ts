// Browsing the registry's namespaces and repositories: server-side search and keyset paging over what the caller may
// see (the one visibility rule, docs/DESIGN.md), so a page, its counts and its cursor never name a hidden repository.
import { countVisibleRepositories, type NamespaceRecord, parseNamespaceName } from '../../core/index.ts';
import { gateRequest } from '../common/access.ts';
import { type Visible, visiblePage } from '../common/visibility.ts';
import { namespaceJson, repositoryJson } from './browse-wire.ts';
import type { BerthCall, BerthHandler } from './context.ts';
import { sendJson } from './context.ts';
import { pageLimit, searchParam } from './input.ts';

function visibilityOf(call: BerthCall): Promise<Visible> {
  return call.ctx.gate.visibility(gateRequest(call.req.headers, 'api'));
}

/**
 * Namespaces with at least one repository the caller sees, counted over those only; an empty namespace (created
 * explicitly) shows to whoever may pull everything in it (`ns/*`, the NCR registries rule).
 */
export const getNamespaces: BerthHandler<{ kind: 'namespaces' }> = async (call) => {
  const { ctx, query, reply } = call;
  const limit = pageLimit(query);
  const contains = searchParam(query)?.toLowerCase();
  const after = searchParam(query, 'after');
  const visible = await visibilityOf(call);
  const counts = new Map<string, number>();
  const shown = async (n: NamespaceRecord): Promise<boolean> => {
    const { count } = await countVisibleRepositories(ctx.deps, n.name, visible, visible.prefetch);
    counts.set(n.name, count);
    return count > 0 || (n.explicit && (await visible(`${n.name}/*`)));
  };
  const { items, next } = await visiblePage(
    (from, batch) => ctx.deps.meta.listNamespaces({ after: from, nameContains: contains, limit: batch }),
    (n) => n.name,
    shown,
    limit,
    after,
  );
  sendJson(reply, 200, { namespaces: items.map((n) => namespaceJson(n, counts.get(n.name) ?? 0)), next: next ?? null });
};

export const getRepositories: BerthHandler<{ kind: 'repositories' }> = async (call) => {
  const { ctx, query, reply } = call;
  const limit = pageLimit(query);
  const contains = searchParam(query);
  const after = searchParam(query, 'after');
  const ns = searchParam(query, 'namespace');
  const namespace = ns === undefined ? undefined : parseNamespaceName(ns);
  const visible = await visibilityOf(call);
  const { items, next } = await visiblePage(
    (from, batch) => ctx.deps.meta.searchRepositoryNames({ namespace, contains, after: from, limit: batch }),
    (name) => name,
    visible,
    limit,
    after,
    visible.prefetch,
  );
  const usage = await ctx.deps.meta.repositoryUsage(items);
  sendJson(reply, 200, { repositories: usage.map(repositoryJson), next: next ?? null });
};
