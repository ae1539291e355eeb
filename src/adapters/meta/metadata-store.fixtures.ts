// Shared fixtures of the MetadataStore conformance suite: a fixed clock, an actor and manifest builders.
import { createHash } from 'node:crypto';
import { digestOf, type Actor, type Digest, type NewManifest } from '../../core/index.ts';

export const actor: Actor = { principal: 'test', dialect: 'oci' };
export const at = new Date('2026-01-01T00:00:00Z');
export const later = (ms: number): Date => new Date(at.getTime() + ms);
export const HOUR = 3_600_000;
export const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
export const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX = 'application/vnd.oci.image.index.v1+json';

export function manifest(repository: string, name: string, extra: Partial<NewManifest> = {}): NewManifest {
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: IMAGE, name }));
  return { repository, digest: digestOf(body), mediaType: IMAGE, artifactType: null, subject: null, annotations: null, body, blobs: [], children: [], tag: null, at, actor, ...extra };
}
