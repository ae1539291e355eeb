// The ECR operations berth implements, by the name X-Amz-Target carries; anything else is UnknownOperationException.
import type { Operation } from './context.ts';
import { BatchDeleteImage } from './ops/delete-images.ts';
import { BatchGetImage, PutImage } from './ops/get-put-images.ts';
import { DeleteLifecyclePolicy, GetLifecyclePolicy, GetLifecyclePolicyPreview, PutLifecyclePolicy, StartLifecyclePolicyPreview } from './ops/lifecycle.ts';
import { DescribeImages, ListImages } from './ops/list-images.ts';
import { DeleteRepositoryPolicy, GetRepositoryPolicy, SetRepositoryPolicy } from './ops/policy.ts';
import { DescribeRegistry, GetAuthorizationToken } from './ops/registry.ts';
import { CreateRepository, DeleteRepository, DescribeRepositories } from './ops/repositories.ts';
import { ListTagsForResource, PutImageTagMutability, TagResource, UntagResource } from './ops/settings.ts';

export const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export const OPERATIONS: Readonly<Record<string, Operation<unknown>>> = Object.freeze({
  CreateRepository,
  DescribeRepositories,
  DeleteRepository,
  ListImages,
  DescribeImages,
  BatchDeleteImage,
  BatchGetImage,
  PutImage,
  GetAuthorizationToken,
  DescribeRegistry,
  PutImageTagMutability,
  TagResource,
  UntagResource,
  ListTagsForResource,
  GetRepositoryPolicy,
  SetRepositoryPolicy,
  DeleteRepositoryPolicy,
  PutLifecyclePolicy,
  GetLifecyclePolicy,
  DeleteLifecyclePolicy,
  StartLifecyclePolicyPreview,
  GetLifecyclePolicyPreview,
});

/** The operation an X-Amz-Target names, or null. */
export function operationOf(target: string | undefined): { name: string; op: Operation<unknown> } | null {
  if (target === undefined || !target.startsWith(TARGET_PREFIX)) return null;
  const name = target.slice(TARGET_PREFIX.length);
  const op = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  return op ? { name, op } : null;
}
