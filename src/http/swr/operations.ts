// The SWR operations berth implements, by route and method; anything else under /v2/manage or /v3/manage is API
// Gateway's "no such API" (APIGW.0101), as on Huawei Cloud.
import type { SwrOperation } from './context.ts';
import { listReposV2, listReposV3 } from './ops/list-repos.ts';
import { createAuthorizationToken, createSecret } from './ops/login.ts';
import { createNamespace, deleteNamespace, listNamespaces, showNamespace } from './ops/namespaces.ts';
import { createRepo, deleteRepo, showRepository, updateRepo } from './ops/repositories.ts';
import { createRepoTag } from './ops/retag.ts';
import { createRetention, deleteRetention, listRetentionHistories, listRetentions, showRetention, updateRetention } from './ops/retentions.ts';
import { deleteRepoTag, listTagsV2, listTagsV3, showRepoTag } from './ops/tags.ts';
import type { SwrRouteKind } from './paths.ts';

export const OPERATIONS: Readonly<Record<SwrRouteKind, Readonly<Record<string, SwrOperation>>>> = {
  namespaces: { GET: listNamespaces, POST: createNamespace },
  namespace: { GET: showNamespace, DELETE: deleteNamespace },
  repos: { POST: createRepo },
  repo: { GET: showRepository, PATCH: updateRepo, DELETE: deleteRepo },
  tags: { GET: listTagsV2, POST: createRepoTag },
  tag: { GET: showRepoTag, DELETE: deleteRepoTag },
  retentions: { GET: listRetentions, POST: createRetention },
  retention: { GET: showRetention, PATCH: updateRetention, DELETE: deleteRetention },
  retentionHistories: { GET: listRetentionHistories },
  allRepos: { GET: listReposV2 },
  allReposV3: { GET: listReposV3 },
  tagsV3: { GET: listTagsV3 },
  secret: { POST: createSecret },
  authToken: { POST: createAuthorizationToken },
};
