// The NCR shapes berth answers with (Docker Hub v2 style field names, epoch-millisecond times), in one place so a
// registry, image or tag looks the same in every operation. Fields berth has no notion of get fixed, honest values
// (listed in docs/NCR.md): no pull or star counters, no numeric ids, no private endpoints.
import type { NamespaceRecord, PlatformImage, RepositorySummary, TagDetail } from '../../core/index.ts';
import type { NcrCall } from './context.ts';

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Registries and images are private exactly when berth requires signed requests. */
function isPrivate(call: NcrCall): boolean {
  return call.ctx.signatures.mode === 'required';
}

/** Where docker reaches the registry's images: berth's own host, then the registry as the first path segment. */
function endPoint(call: NcrCall, registry: string): string {
  return `${call.origin.replace(/^https?:\/\//, '')}/${registry}`;
}

export function registryShape(call: NcrCall, ns: NamespaceRecord): Record<string, unknown> {
  return {
    name: ns.name,
    bucket: text(ns.settings.bucket),
    created: ns.createdAt.getTime(),
    end_point: endPoint(call, ns.name),
    end_point_enabled: true,
    private_end_point: '',
    private_id: '',
    public_reg_status: !isPrivate(call),
    scan_on_push_enabled: false,
    status: 'running',
  };
}

/** An image as the image list shows it; the description lives in the repository's settings (PATCH sets it). */
export function imageShape(call: NcrCall, registry: string, repo: RepositorySummary, settings: Record<string, unknown>): Record<string, unknown> {
  return {
    name: repo.name.slice(registry.length + 1),
    namespace: registry,
    description: text(settings.description),
    is_private: isPrivate(call),
    is_automated: false,
    can_edit: true,
    last_updated: repo.updatedAt.getTime(),
    pull_count: 0,
    star_count: 0,
    repository_type: repo.artifactKind,
    status: 1,
    user: registry,
  };
}

export function imageDetailShape(call: NcrCall, registry: string, repo: RepositorySummary, settings: Record<string, unknown>): Record<string, unknown> {
  return {
    ...imageShape(call, registry, repo, settings),
    full_description: text(settings.full_description),
    private_id: '',
    // NCR has one flag: true when tags move by default (MUTABLE, or MUTABLE_WITH_EXCLUSION whose filters are the exception).
    tag_mutability_enabled: repo.tagMutability === 'MUTABLE' || repo.tagMutability === 'MUTABLE_WITH_EXCLUSION',
  };
}

function platformShape(image: PlatformImage, tag: TagDetail): Record<string, unknown> {
  const p = image.platform;
  return {
    architecture: p.architecture,
    os: p.os,
    os_version: p.osVersion,
    os_features: p.osFeatures.join(','),
    variant: p.variant,
    features: p.features.join(','),
    digest: image.digest,
    mediaType: image.mediaType,
    size: image.size,
    created: ms(image.pushedAt),
    updated: tag.taggedAt.getTime(),
    latest_pulled: ms(image.lastPulledAt),
  };
}

/**
 * A tag with its images: one for an image manifest, one per entry of an index. full_size is what pulling the tag
 * downloads: the image's size, or for an index the largest platform's (a pull fetches one platform).
 */
export function tagShape(tag: TagDetail, images: PlatformImage[] | null): Record<string, unknown> {
  const fullSize = images === null || images.length === 0 ? tag.manifestSize : Math.max(...images.map((i) => i.size));
  return {
    name: tag.tag,
    id: 0,
    image_id: 0,
    digest: tag.digest,
    full_size: fullSize,
    creator: '',
    last_updated: tag.taggedAt.getTime(),
    last_updater: '',
    repository: 0,
    v2: true,
    images: (images ?? []).map((i) => platformShape(i, tag)),
  };
}
