// Reads and checks each API parameter as the Compute Nest API documents it, so bad input always answers
// Missing<Param> or Invalid<Param> (HTTP 400) before anything runs, never a server error. By hand, not zod: Alibaba's
// error *code* carries the parameter's name, and which parameter is reported first follows the API's read order.
import type { AcrSettings, Params } from './context.ts';
import { invalidParameter, missingParameter } from './errors.ts';
import { ARTIFACT_TYPES, type ArtifactType } from './wire.ts';

/** Region ids as config.acr.regions spells them (same rule as the config schema). */
const REGION_RE = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const MAX_TEXT = 1024;

/** The value, or undefined when absent or empty (the SDKs send nothing for unset fields; an empty value means the same). */
export function optional(p: Params, name: string, maxLength = MAX_TEXT): string | undefined {
  const v = p.get(name);
  if (v === undefined || v === '') return undefined;
  if (v.length > maxLength) throw invalidParameter(name, `at most ${maxLength} characters`);
  return v;
}

export function required(p: Params, name: string, maxLength = MAX_TEXT): string {
  const v = optional(p, name, maxLength);
  if (v === undefined) throw missingParameter(name);
  return v;
}

/** A region id berth answers for: one of config.acr.regions, or any well-formed id when that list is empty. */
export function region(p: Params, name: string, settings: AcrSettings, mandatory: true): string;
export function region(p: Params, name: string, settings: AcrSettings, mandatory: false): string | undefined;
export function region(p: Params, name: string, settings: AcrSettings, mandatory: boolean): string | undefined {
  const v = mandatory ? required(p, name, 64) : optional(p, name, 64);
  if (v === undefined) return undefined;
  if (!REGION_RE.test(v)) throw invalidParameter(name, `"${v}" is not a region id such as cn-hangzhou`);
  if (settings.regions.length > 0 && !settings.regions.includes(v)) {
    throw invalidParameter(name, `berth answers for ${settings.regions.join(', ')} only`);
  }
  return v;
}

/** A repository id ("crr-" + 16 characters on berth); only the shape is checked here, existence by the operation. */
export function repoId(p: Params): string {
  const v = required(p, 'RepoId', 64);
  if (!/^[A-Za-z0-9_-]+$/.test(v)) throw invalidParameter('RepoId', 'expected a repository id such as crr-7x9rf32mkqoqulrn');
  return v;
}

export function artifactType(p: Params, mandatory = false): ArtifactType {
  const v = mandatory ? required(p, 'ArtifactType', 64) : optional(p, 'ArtifactType', 64);
  if (v === undefined) return 'AcrImage';
  if (!(ARTIFACT_TYPES as readonly string[]).includes(v)) {
    throw invalidParameter(
      'ArtifactType',
      `"${v.slice(0, 64)}" is not one of ${ARTIFACT_TYPES.join(', ')}${v === 'File' ? ' (berth serves container images and Helm charts, not File artifacts)' : ''}`,
    );
  }
  return v as ArtifactType;
}

/** 1..100, default 20, as the List APIs document. */
export function maxResults(p: Params): number {
  const v = optional(p, 'MaxResults', 16);
  if (v === undefined) return 20;
  const n = /^\d{1,3}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= 100)) throw invalidParameter('MaxResults', 'an integer from 1 to 100');
  return n;
}

/** Up to 64 ASCII characters (printable, as the token is compared byte for byte). */
export function clientToken(p: Params): string | undefined {
  const v = p.get('ClientToken');
  if (v === undefined || v === '') return undefined;
  if (!/^[\x20-\x7e]{1,64}$/.test(v)) throw invalidParameter('ClientToken', 'at most 64 printable ASCII characters');
  return v;
}

/** An OCI tag, as /v2 accepts it. */
export function tag(p: Params): string {
  const v = required(p, 'Tag', 128);
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(v)) throw invalidParameter('Tag', `"${v.slice(0, 64)}" is not a tag (letters, digits, _ . -, at most 128)`);
  return v;
}
