// The JSON shapes of the browsing routes: dates as ISO strings, absent values as null, sizes in bytes, platforms
// as os/architecture with variant and os.version only when set (what `docker manifest inspect` prints).
import type { ChildView, ManifestDescription, ManifestDetail, NamespaceRecord, Platform, ReferrerView, RepositoryUsage, TagView } from '../../core/index.ts';
import { type PinJson, pinJson } from './wire.ts';

export interface PlatformJson {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function platformJson(p: Platform): PlatformJson {
  return { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}), ...(p.osVersion ? { osVersion: p.osVersion } : {}) };
}

export function namespaceJson(n: NamespaceRecord, visibleCount: number): { name: string; repositoryCount: number; explicit: boolean; createdAt: string } {
  return { name: n.name, repositoryCount: visibleCount, explicit: n.explicit, createdAt: n.createdAt.toISOString() };
}

export function repositoryJson(r: RepositoryUsage) {
  const slash = r.name.indexOf('/');
  return {
    name: r.name,
    namespace: slash < 0 ? null : r.name.slice(0, slash),
    tagCount: r.tagCount,
    manifestCount: r.manifestCount,
    totalBytes: r.totalBytes,
    uniqueBytes: r.uniqueBytes,
    createdAt: r.createdAt.toISOString(),
    lastPushedAt: iso(r.lastPushedAt),
    lastPulledAt: iso(r.lastPulledAt),
  };
}

export function tagJson(t: TagView) {
  return {
    tag: t.tag,
    digest: t.digest,
    mediaType: t.mediaType,
    artifactType: t.artifactType,
    size: t.size,
    platforms: t.platforms.map(platformJson),
    pushedAt: t.pushedAt.toISOString(),
    taggedAt: t.taggedAt.toISOString(),
    lastPulledAt: iso(t.lastPulledAt),
    pins: t.pins.map(pinJson),
  };
}

export interface ManifestJson {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  subject: string | null;
  manifestSize: number;
  size: number;
  platforms: PlatformJson[];
  tags: string[];
  pushedAt: string;
  lastPulledAt: string | null;
  pins: PinJson[];
}

export function manifestJson(m: ManifestDetail): ManifestJson {
  return {
    digest: m.digest,
    mediaType: m.mediaType,
    artifactType: m.artifactType,
    subject: m.subject,
    manifestSize: m.manifestSize,
    size: m.size,
    platforms: m.platforms.map(platformJson),
    tags: m.tags,
    pushedAt: m.pushedAt.toISOString(),
    lastPulledAt: iso(m.lastPulledAt),
    pins: m.pins.map(pinJson),
  };
}

const childJson = (c: ChildView) => ({ digest: c.digest, mediaType: c.mediaType, size: c.size, platform: platformJson(c.platform), stored: c.stored });

const referrerJson = (r: ReferrerView) => ({
  digest: r.digest,
  mediaType: r.mediaType,
  artifactType: r.artifactType,
  size: r.size,
  pushedAt: r.pushedAt.toISOString(),
});

export function manifestDescriptionJson(m: ManifestDescription) {
  return { ...manifestJson(m), children: m.children.map(childJson), referrers: m.referrers.map(referrerJson) };
}
