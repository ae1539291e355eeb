// The shapes berth answers with in the Alibaba API: upper-case UUID request ids, ISO-8601 times without
// milliseconds, and the ArtifactType <-> artifact kind mapping, in one place so every operation spells them alike.
import { randomUUID } from 'node:crypto';
import type { ArtifactKind } from '../../core/index.ts';

export type ArtifactType = 'AcrImage' | 'HelmChart';

export const ARTIFACT_TYPES: readonly ArtifactType[] = ['AcrImage', 'HelmChart'];

export function kindOf(type: ArtifactType): ArtifactKind {
  return type === 'HelmChart' ? 'helm-chart' : 'image';
}

/** e.g. "9B55A3FD-B562-5BFE-A91A-DB1790717236", as Alibaba writes request ids. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** "2021-05-20T00:00:00Z". */
export function isoTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The success body: RequestId first, then the operation's fields. */
export function successBody(requestId: string, result: Record<string, unknown>): string {
  return JSON.stringify({ RequestId: requestId, ...result });
}
