// Retention policies over HTTP: store one per repository or as a namespace default, show which one governs a
// repository and where it comes from, preview what a run would do now, and run it (docs/LIFECYCLE.md).
import { z } from 'zod';
import {
  type Decision,
  deleteLifecyclePolicy,
  type EffectivePolicy,
  effectivePolicy,
  type LifecyclePreview,
  type LifecycleRunResult,
  type PolicyScope,
  previewLifecycle,
  putLifecyclePolicy,
  RegistryError,
} from '../../core/index.ts';
import { type BerthHandler, onRepository, sendJson } from './context.ts';
import { readJson } from './input.ts';

type PolicyRoute = { kind: 'lifecycle'; name: string } | { kind: 'namespace-lifecycle'; name: string };

const scopeOf = (route: PolicyRoute): PolicyScope => (route.kind === 'lifecycle' ? 'repository' : 'namespace');

function policyJson(p: EffectivePolicy | null): Record<string, unknown> {
  if (!p) return { source: null, policy: null };
  return {
    source: p.source,
    ...(p.source === 'namespace' ? { namespace: p.stored.name } : {}),
    policy: p.stored.policy,
    updatedAt: p.stored.updatedAt.toISOString(),
    updatedBy: p.stored.updatedBy,
    evaluatedAt: p.stored.evaluatedAt?.toISOString() ?? null,
  };
}

/** "expire: rule 1", "untag: keep rules", "kept: pinned (pin-…, prod)": what a person reads in a preview. */
export function decisionSummary(d: Decision): string {
  const verb = d.verdict === 'keep' ? 'kept' : d.verdict;
  switch (d.by.kind) {
    case 'rule':
      return `${verb}: rule ${d.by.priority}`;
    case 'keep-rules':
      return `${verb}: keep rules ${d.by.rules.join(', ') || '(none kept a tag)'}`;
    case 'pinned':
      return `${verb}: pinned (${d.by.pins.map((p) => `${p.id}, ${p.reason}`).join('; ')})`;
    default:
      return `${verb}: no rule selects it`;
  }
}

export function decisionJson(d: Decision): Record<string, unknown> {
  return {
    digest: d.digest,
    tags: d.tags,
    verdict: d.verdict,
    removeTags: d.removeTags,
    by: d.by,
    summary: decisionSummary(d),
    warnings: d.warnings.map((w) => ({ code: w.code, since: w.since.toISOString() })),
  };
}

export function previewJson(p: LifecyclePreview): Record<string, unknown> {
  const unpulled = p.decisions.filter((d) => d.warnings.some((w) => w.code === 'never-pulled-since-recording')).length;
  return {
    repository: p.repository,
    at: p.at.toISOString(),
    ...policyJson(p.policy),
    pullsRecordedSince: p.pullsRecordedSince.toISOString(),
    counts: p.counts,
    bytes: { reclaimable: p.bytes.reclaimable, from: p.bytes.from.toISOString() },
    decisions: p.decisions.map(decisionJson),
    warnings:
      unpulled > 0
        ? [
            {
              code: 'never-pulled-since-recording',
              images: unpulled,
              message: `${unpulled} image(s) would expire by pull age without any pull recorded since ${p.pullsRecordedSince.toISOString()}; berth cannot know of pulls before that`,
            },
          ]
        : [],
  };
}

export function runJson(r: LifecycleRunResult): Record<string, unknown> {
  return {
    repository: r.repository,
    at: r.at.toISOString(),
    ...policyJson(r.policy),
    counts: r.counts,
    expired: r.expired,
    untagged: r.untagged,
    refused: r.refused,
    vanished: r.vanished,
  };
}

/** The policy that governs the repository (its own, or its namespace's default), or a namespace's default. */
export const getLifecycle: BerthHandler<PolicyRoute> = async ({ ctx, route, reply, authorize }) => {
  if (route.kind === 'lifecycle') {
    await authorize([onRepository(route.name, 'pull')]);
    sendJson(reply, 200, { repository: route.name, ...policyJson(await effectivePolicy(ctx.deps, route.name)) });
    return;
  }
  await authorize([onRepository(`${route.name}/*`, 'pull')]);
  const stored = await ctx.deps.meta.findLifecyclePolicy('namespace', route.name);
  sendJson(reply, 200, { namespace: route.name, ...policyJson(stored ? { source: 'namespace', stored } : null) });
};

/** What may be deleted automatically is an administrator's call: admin on the repository, or on `ns/*` for a default. */
export const putLifecycle: BerthHandler<PolicyRoute> = async ({ ctx, route, req, reply, authorize }) => {
  const actor = await authorize([onRepository(route.kind === 'lifecycle' ? route.name : `${route.name}/*`, 'admin')]);
  const body = await readJson(req, z.unknown());
  const policy = await putLifecyclePolicy(ctx.deps, scopeOf(route), route.name, body, actor);
  sendJson(reply, 200, { [route.kind === 'lifecycle' ? 'repository' : 'namespace']: route.name, policy });
};

export const deleteLifecycle: BerthHandler<PolicyRoute> = async ({ ctx, route, reply, authorize }) => {
  const actor = await authorize([onRepository(route.kind === 'lifecycle' ? route.name : `${route.name}/*`, 'admin')]);
  await deleteLifecyclePolicy(ctx.deps, scopeOf(route), route.name, actor);
  sendJson(reply, 200, { deleted: true });
};

export const postPreview: BerthHandler<{ kind: 'lifecycle-preview'; name: string }> = async ({ ctx, route, reply, authorize }) => {
  await authorize([onRepository(route.name, 'pull')]);
  await ctx.pulls.flush();
  sendJson(reply, 200, previewJson(await previewLifecycle(ctx.deps, route.name)));
};

/** Runs the repository's policy now (after the scheduler's run in progress); each delete needs what a delete needs. */
export const postRun: BerthHandler<{ kind: 'lifecycle-run'; name: string }> = async ({ ctx, route, reply, authorize }) => {
  const actor = await authorize([onRepository(route.name, 'delete')]);
  if (!(await effectivePolicy(ctx.deps, route.name)))
    throw new RegistryError('NAME_UNKNOWN', `no retention policy governs ${route.name}`, { name: route.name });
  sendJson(reply, 200, runJson(await ctx.lifecycle.run(route.name, actor)));
};
