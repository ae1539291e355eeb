// Shared fixtures of the MetadataStore conformance suite: a fixed clock, an actor, pin policies and manifest builders.
import { createHash } from 'node:crypto';
import { type Actor, type Digest, digestOf, type NewManifest, type PinPolicy } from '../../core/index.ts';

export const actor: Actor = { principal: 'test', dialect: 'oci' };
export const at = new Date('2026-01-01T00:00:00Z');
export const later = (ms: number): Date => new Date(at.getTime() + ms);
export const HOUR = 3_600_000;
export const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
export const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX = 'application/vnd.oci.image.index.v1+json';

/** Pins count, none are broken, no automatic pins: what an ordinary delete asks for. */
export const RESPECT_PINS: PinPolicy = { breakPins: false, pulledSince: null };
/** The override (the caller has the right to break pins). */
export const BREAK_PINS: PinPolicy = { breakPins: true, pulledSince: null };
/** OCI's tag delete: only the tag goes. */
export const TAG_ONLY = { policy: RESPECT_PINS, dropUntagged: false } as const;
/** ECR's rule: the image goes with its last tag. */
export const DROP_UNTAGGED = { policy: RESPECT_PINS, dropUntagged: true } as const;

export function manifest(repository: string, name: string, extra: Partial<NewManifest> = {}): NewManifest {
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: IMAGE, name }));
  return {
    repository,
    digest: digestOf(body),
    mediaType: IMAGE,
    artifactType: null,
    subject: null,
    annotations: null,
    body,
    blobs: [],
    children: [],
    tag: null,
    at,
    actor,
    ...extra,
  };
}
