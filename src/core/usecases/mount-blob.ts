// Cross-repository mount: linking a blob the client can already read elsewhere saves re-uploading it.
import { type Digest, parseDigest } from '../model/digest.ts';
import type { Actor } from '../model/records.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';
import { type PushDeps, requireRepositoryForPush } from './repositories.ts';

/** Mounts `digest` from `from` into `to`; null when the source does not hold it (the caller falls back to an upload). */
export async function mountBlob(
  deps: UsesMeta<'mountBlob'> & Pick<RegistryDeps, 'clock'> & PushDeps,
  to: string,
  from: string,
  digestParam: string,
  actor: Actor,
): Promise<{ digest: Digest; size: number } | null> {
  const digest = parseDigest(digestParam);
  await requireRepositoryForPush(deps, to);
  const linked = await deps.meta.mountBlob(from, to, digest, actor, deps.clock.now());
  return linked ? { digest, size: linked.size } : null;
}
