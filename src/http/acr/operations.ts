// The Compute Nest supplier APIs berth implements (version 2021-05-21), by the name the Action parameter or the
// x-acs-action header gives.
import type { Operation } from './context.ts';
import { GetArtifactRepositoryCredentials } from './ops/credentials.ts';
import { DeleteAcrImageRepositories } from './ops/delete-repository.ts';
import { DeleteAcrImageTags } from './ops/delete-tags.ts';
import { ListAcrImageRepositories } from './ops/list-repositories.ts';
import { ListAcrImageTags } from './ops/list-tags.ts';

export const API_VERSION = '2021-05-21';

export const OPERATIONS: Readonly<Record<string, Operation<unknown>>> = Object.freeze({
  DeleteAcrImageRepositories,
  DeleteAcrImageTags,
  ListAcrImageRepositories,
  ListAcrImageTags,
  GetArtifactRepositoryCredentials,
});

export function operationOf(action: string): Operation<unknown> | null {
  return Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action]! : null;
}
