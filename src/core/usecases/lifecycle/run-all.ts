// The scheduled (and `berth lifecycle run` without --repository) pass: every live repository a policy governs, its
// own or its namespace's default, one after another, so one failing repository never stops the others.
import { namespaceOf } from '../../model/names.ts';
import type { Actor } from '../../model/records.ts';
import type { UsesMeta } from '../deps.ts';
import { yieldToOthers } from '../yield-to-others.ts';
import { type LifecycleDeps, type LifecycleRunResult, type RunOptions, runLifecycle } from './apply.ts';

export type RunAllDeps = LifecycleDeps & UsesMeta<'markLifecycleEvaluated' | 'recordLifecycleRemovals' | 'listLifecyclePolicies' | 'listRepositories'>;

export interface RunAllResult {
  runs: LifecycleRunResult[];
  failed: Array<{ repository: string; error: string }>;
}

const PAGE = 500;

/** Who a scheduled run is in the audit trail. */
export const LIFECYCLE_ACTOR: Actor = { principal: 'lifecycle', dialect: 'lifecycle' };

/** Repositories governed by some policy, in name order; read in pages, the policies first (they are few). */
export async function governedRepositories(deps: Pick<RunAllDeps, 'meta'>): Promise<string[]> {
  const own = new Set<string>();
  const namespaces = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await deps.meta.listLifecyclePolicies({ after, limit: PAGE });
    for (const p of page) (p.scope === 'repository' ? own : namespaces).add(p.name);
    if (page.length < PAGE) break;
    after = `${page.at(-1)!.scope}\0${page.at(-1)!.name}`;
  }
  const out: string[] = [];
  if (own.size === 0 && namespaces.size === 0) return out;
  let last: string | undefined;
  for (;;) {
    const names = await deps.meta.listRepositories({ after: last, limit: PAGE });
    for (const n of names) if (own.has(n) || namespaces.has(namespaceOf(n))) out.push(n);
    if (names.length < PAGE) return out;
    last = names.at(-1);
  }
}

export async function runLifecycleEverywhere(deps: RunAllDeps, actor: Actor, options: RunOptions = {}): Promise<RunAllResult> {
  const result: RunAllResult = { runs: [], failed: [] };
  for (const repository of await governedRepositories(deps)) {
    try {
      result.runs.push(await runLifecycle(deps, repository, actor, options));
    } catch (err) {
      // A repository deleted meanwhile, or a store hiccup: the next repository still gets its run.
      result.failed.push({ repository, error: err instanceof Error ? err.message : String(err) });
    }
    // Between repositories, whatever a repository's run did: one delete each never reaches the batch's yield.
    await yieldToOthers();
  }
  return result;
}
