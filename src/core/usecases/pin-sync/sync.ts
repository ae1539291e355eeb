// `berth pin sync` / PUT /berth/v1/pin-sets/{source}: the images a platform reports as running become the pins of
// that source, replaced as a whole, so what a cluster runs stays protected even on nodes that never pull again.
import { RegistryError } from '../../errors.ts';
import type { Digest } from '../../model/digest.ts';
import type { Actor } from '../../model/records.ts';
import type { PinSetEntry } from '../../ports/metadata-store.ts';
import type { RegistryDeps, UsesMeta } from '../deps.ts';
import { type DocumentFormat, parsePinSetDocument } from './documents.ts';
import { hostSet, type ImageReference, isOurs, parseImageReference } from './reference.ts';

/** Largest report read (HTTP body and CLI file): `kubectl get pods -A -o json` of a few thousand pods. */
export const MAX_PIN_SET_DOCUMENT_BYTES = 32 * 1024 * 1024;
/** Distinct images of this registry one report may name; beyond it the sync is refused, nothing changed. */
export const MAX_PIN_SET_IMAGES = 10_000;
/** Skipped references named in the answer; `skippedCount` has them all. */
export const MAX_REPORTED_SKIPS = 100;

const SOURCE_RE = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

export interface PinSyncRequest {
  source: string;
  document: string;
  /** Names clients use for this registry (config registry.hostNames); only references on them are ours. */
  hostNames: readonly string[];
  /** Lifetime of every pin of the set, renewed by each sync; none = until a sync drops it. */
  expiresInMs?: number | undefined;
}

export interface PinSyncSkip {
  reference: string;
  why: 'tag-unknown' | 'not-stored';
}

export interface PinSyncResult {
  source: string;
  format: DocumentFormat;
  added: number;
  kept: number;
  removed: number;
  /** Distinct images of this registry now pinned by the source. */
  pinned: number;
  /** Containers whose image is another registry's (or not a reference at all): ignored. */
  ignored: number;
  skippedCount: number;
  skipped: PinSyncSkip[];
}

/** A source name: 1-64 of [a-z0-9._-], starting and ending with a letter or digit (it is part of a URL path). */
export function parsePinSetSource(source: string): string {
  if (!SOURCE_RE.test(source)) {
    throw new RegistryError(
      'INVALID_REQUEST',
      `invalid pin-set source "${source.slice(0, 80)}": use 1-64 of a-z 0-9 . _ -, starting and ending with a letter or digit`,
    );
  }
  return source;
}

/** The image a container runs: the first of its candidates that names this registry. */
function ourImage(candidates: readonly string[], hosts: ReadonlySet<string>): ImageReference | null {
  for (const c of candidates) {
    const ref = parseImageReference(c);
    if (ref && isOurs(ref, hosts) && (ref.digest !== null || ref.tag !== null)) return ref;
  }
  return null;
}

export async function syncPinSet(
  deps: UsesMeta<'getManifest' | 'replacePinSet'> & Pick<RegistryDeps, 'clock'>,
  request: PinSyncRequest,
  actor: Actor,
): Promise<PinSyncResult> {
  const source = parsePinSetSource(request.source);
  const expiresIn = request.expiresInMs;
  if (expiresIn !== undefined && !(Number.isSafeInteger(expiresIn) && expiresIn > 0)) {
    throw new RegistryError('INVALID_REQUEST', 'a pin expiry must be a positive duration');
  }
  const parsed = parsePinSetDocument(request.document);
  const hosts = hostSet(request.hostNames);
  const wanted = new Map<string, ImageReference>();
  let ignored = 0;
  for (const container of parsed.containers) {
    const ref = ourImage(container.candidates, hosts);
    if (!ref) {
      ignored++;
      continue;
    }
    const key = ref.digest === null ? `${ref.repository}:${ref.tag}` : `${ref.repository}@${ref.digest}`;
    wanted.set(key, ref);
    if (wanted.size > MAX_PIN_SET_IMAGES) {
      throw new RegistryError('INVALID_REQUEST', `pin-set document names more than ${MAX_PIN_SET_IMAGES} distinct images of this registry`);
    }
  }
  const skipped: PinSyncSkip[] = [];
  const entries = new Map<string, PinSetEntry>();
  for (const [key, ref] of wanted) {
    let digest: Digest | null = ref.digest;
    if (digest === null) {
      digest = (await deps.meta.getManifest(ref.repository, { tag: ref.tag! }))?.digest ?? null;
      if (digest === null) {
        skipped.push({ reference: key, why: 'tag-unknown' });
        continue;
      }
    }
    entries.set(`${ref.repository}@${digest}`, { repository: ref.repository, digest });
  }
  const at = deps.clock.now();
  const outcome = await deps.meta.replacePinSet({
    source,
    pins: [...entries.values()],
    reason: `reported running by pin set ${source}`,
    owner: source,
    expiresAt: expiresIn === undefined ? null : new Date(at.getTime() + expiresIn),
    at,
    actor,
  });
  for (const m of outcome.missing) skipped.push({ reference: `${m.repository}@${m.digest}`, why: 'not-stored' });
  return {
    source,
    format: parsed.format,
    added: outcome.added,
    kept: outcome.kept,
    removed: outcome.removed,
    pinned: outcome.added + outcome.kept,
    ignored,
    skippedCount: skipped.length,
    skipped: skipped.slice(0, MAX_REPORTED_SKIPS),
  };
}
