// Create/List/Show/Update/DeleteRetention and ListRetentionHistories over the retention use cases: one keep policy
// per repository (its stored id is SWR's retention id), translated by retention/retention.ts; runs leave the history.
import { deleteLifecyclePolicy, isRegistryError, type RetentionPolicy, type StoredLifecyclePolicy, storeRepositoryPolicy } from '../../../core/index.ts';
import { authorizeRepository } from '../authorize.ts';
import type { SwrCall, SwrOperation } from '../context.ts';
import { SWR_ONLY, SwrError } from '../errors.ts';
import { intParam, parseJsonBody, withFilter } from '../input.ts';
import { historyOf, parseRetention, retentionOf } from '../retention/retention.ts';
import { type NamedRepository, pathRepository, summaryOf } from './resolve.ts';

type KeepPolicy = RetentionPolicy & { family: 'keep' };

/** The repository from the path, known to exist, with the caller allowed `action` on it. */
async function repositoryFor(call: SwrCall, action: 'pull' | 'admin'): Promise<NamedRepository> {
  const r = await pathRepository(call);
  await authorizeRepository(call, r.name, action);
  await summaryOf(call, r);
  return r;
}

/** The repository's own keep policy; an ECR (expire) policy has no SWR shape and reads as none (docs/LIFECYCLE.md). */
async function ownRetention(call: SwrCall, r: NamedRepository): Promise<(StoredLifecyclePolicy & { policy: KeepPolicy }) | null> {
  const stored = await call.ctx.deps.meta.findLifecyclePolicy('repository', r.name);
  return stored?.policy.family === 'keep' ? (stored as StoredLifecyclePolicy & { policy: KeepPolicy }) : null;
}

async function retentionById(call: SwrCall, r: NamedRepository): Promise<StoredLifecyclePolicy & { policy: KeepPolicy }> {
  const text = call.route.retentionId ?? '';
  const own = await ownRetention(call, r);
  if (!/^\d{1,15}$/.test(text) || !own || own.id !== Number(text)) {
    throw new SwrError(SWR_ONLY.retentionUnknown, `retention ${text.slice(0, 50)} does not exist for repository ${r.repository} in namespace ${r.namespace}`);
  }
  return own;
}

export const createRetention: SwrOperation = async (call) => {
  const r = await repositoryFor(call, 'admin');
  const policy = parseRetention(parseJsonBody(call.body));
  const { id, created } = await storeRepositoryPolicy(call.ctx.deps, r.name, policy, call.actor, { onlyIfAbsent: true });
  if (!created) {
    throw new SwrError(
      SWR_ONLY.retentionExists,
      `repository ${r.repository} in namespace ${r.namespace} already has a retention policy (id ${id}); update or delete it`,
    );
  }
  return { status: 201, body: { id } };
};

export const listRetentions: SwrOperation = async (call) => {
  const r = await repositoryFor(call, 'pull');
  const own = await ownRetention(call, r);
  return { status: 200, body: own ? [retentionOf(own.policy, own.id)] : [] };
};

export const showRetention: SwrOperation = async (call) => {
  const r = await repositoryFor(call, 'pull');
  const own = await retentionById(call, r);
  return { status: 200, body: retentionOf(own.policy, own.id) };
};

export const updateRetention: SwrOperation = async (call) => {
  const r = await repositoryFor(call, 'admin');
  await retentionById(call, r);
  const policy = parseRetention(parseJsonBody(call.body));
  await storeRepositoryPolicy(call.ctx.deps, r.name, policy, call.actor);
  return { status: 201, body: {} };
};

export const deleteRetention: SwrOperation = async (call) => {
  const r = await repositoryFor(call, 'admin');
  await retentionById(call, r);
  try {
    await deleteLifecyclePolicy(call.ctx.deps, 'repository', r.name, call.actor);
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN')
      throw new SwrError(SWR_ONLY.retentionUnknown, `the retention policy of ${r.repository} is already gone`);
    throw e;
  }
  return { status: 200, body: {} };
};

/** SWR's paging comes as `filter=offset::0|limit::10` (or plain parameters); newest removal first. */
export const listRetentionHistories: SwrOperation = async (call) => {
  const r = await repositoryFor(call, 'pull');
  const query = withFilter(call.query);
  const offset = intParam(query, 'offset', 0, 0, 1_000_000);
  const limit = intParam(query, 'limit', 100, 1, 1000);
  const page = await call.ctx.deps.meta.listLifecycleRemovals(r.name, { offset, limit });
  const { body, contentRange } = historyOf(page.records, { namespace: r.namespace, offset, total: page.total });
  return { status: 200, body, headers: { 'content-range': contentRange } };
};
