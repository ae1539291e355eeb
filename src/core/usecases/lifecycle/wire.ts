// What the ECR and SWR retention APIs change beyond berth's own: a policy stored with the text it came in as (or
// created only when the repository has none, SWR's one-per-repository rule), and an ECR preview computed and stored.
import { RegistryError } from '../../errors.ts';
import type { RetentionPolicy } from '../../lifecycle/rules.ts';
import { assertValidPolicy } from '../../lifecycle/validate.ts';
import { parseRepositoryName } from '../../model/names.ts';
import type { Actor } from '../../model/records.ts';
import type { PreviewEntry, StoredLifecyclePreview } from '../../ports/lifecycle-store.ts';
import type { RegistryDeps, UsesMeta } from '../deps.ts';
import { evaluation, type LifecycleDeps } from './apply.ts';

/** How long a stored preview answers before it reports EXPIRED (AWS keeps previews for a limited time too). */
export const PREVIEW_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Stores a repository's own policy already parsed by a dialect, with the wire text to echo (null: none). With
 * `onlyIfAbsent` an existing policy stays (`created: false`). The repository must exist, as on AWS and SWR.
 */
export async function storeRepositoryPolicy(
  deps: UsesMeta<'findRepository' | 'putLifecyclePolicy'> & Pick<RegistryDeps, 'clock'>,
  repository: string,
  policy: RetentionPolicy,
  actor: Actor,
  options: { wireText?: string | null; onlyIfAbsent?: boolean } = {},
): Promise<{ id: number; created: boolean }> {
  const name = parseRepositoryName(repository);
  assertValidPolicy(policy);
  if (!(await deps.meta.findRepository(name))) throw new RegistryError('NAME_UNKNOWN', `repository ${name} is not known`, { name });
  return deps.meta.putLifecyclePolicy({
    scope: 'repository',
    name,
    policy,
    actor,
    at: deps.clock.now(),
    wireText: options.wireText ?? null,
    onlyIfAbsent: options.onlyIfAbsent,
  });
}

/**
 * Evaluates `policy` against the repository now, as a run would, and stores the images it would expire as the
 * repository's preview (replacing the last one). Computed at once: every replica then reads the same answer, and no
 * half-done preview can be lost with a process.
 */
export async function startLifecyclePreview(
  deps: LifecycleDeps & UsesMeta<'saveLifecyclePreview'>,
  repository: string,
  policy: RetentionPolicy,
  policyText: string,
): Promise<StoredLifecyclePreview> {
  const now = deps.clock.now();
  const e = await evaluation(deps, repository, now, policy);
  // Only the expiring images are held (the stored preview lists them), never the repository's images.
  const expiring: Array<PreviewEntry & { seq: number }> = [];
  if (e)
    for await (const d of e.decisions) {
      if (d.verdict !== 'expire' || d.by.kind !== 'rule') continue;
      expiring.push({ digest: d.digest, tags: [...d.tags], pushedAt: d.pushedAt, priority: d.by.priority, seq: d.seq });
    }
  expiring.sort((a, b) => a.seq - b.seq);
  const preview: StoredLifecyclePreview = {
    repository,
    policyText,
    startedAt: now,
    expiring: expiring.map(({ seq: _seq, ...entry }) => entry),
  };
  await deps.meta.saveLifecyclePreview(preview);
  return preview;
}

/** Drops what only the repository's own ECR lifecycle held: its policy and its preview (ECR's DeleteRepository). */
export async function dropRepositoryLifecycle(
  deps: UsesMeta<'deleteLifecyclePolicy' | 'deleteLifecyclePreview'> & Pick<RegistryDeps, 'clock'>,
  repository: string,
  actor: Actor,
): Promise<void> {
  await deps.meta.deleteLifecyclePolicy('repository', repository, actor, deps.clock.now());
  await deps.meta.deleteLifecyclePreview(repository);
}
