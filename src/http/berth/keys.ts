// Access keys over HTTP for the console's administrators: the same issuing and revoking the CLI's `berth key` runs,
// audited as the admin who asked. Secrets are shown once, in the creation answer, and never again.
import { z } from 'zod';
import { ACTIONS, allowsEverywhere, fullAccessGrants } from '../../auth/index.ts';
import { type AccessKey, type Action, type Grant, RegistryError, revokeAccessKey } from '../../core/index.ts';
import { type BerthHandler, REGISTRY_ADMIN, sendJson } from './context.ts';
import { pageLimit, readJson, searchParam } from './input.ts';

const MAX_KEY_ID = 128;

const GrantBody = z.strictObject({
  repositories: z.string().max(256),
  /** "pull", "push", "delete", "admin", "pin-sync" (on "*"), or "*" for every repository action, as the CLI's --grant. */
  actions: z.array(z.string().max(32)).min(1).max(16),
});

const NewKeyBody = z.strictObject({
  name: z.string(),
  grants: z.array(GrantBody).min(1).max(100).optional(),
  admin: z.boolean().optional(),
});

export function keyJson(k: AccessKey) {
  return {
    id: k.id,
    name: k.name,
    grants: k.grants.map((g) => ({ repositories: g.repositories, actions: [...g.actions] })),
    admin: allowsEverywhere(k.grants, 'admin'),
    createdAt: k.createdAt.toISOString(),
  };
}

/** Every right is asked for by name (`"admin": true`, the CLI's --admin), never the result of leaving grants out. */
function chosenGrants(body: z.infer<typeof NewKeyBody>): Grant[] {
  if (body.admin === true && body.grants !== undefined) throw new RegistryError('INVALID_REQUEST', 'give either "grants" or "admin": true, not both');
  if (body.admin === true) return fullAccessGrants();
  if (body.grants === undefined) {
    throw new RegistryError('INVALID_REQUEST', 'a key needs "grants" (e.g. [{"repositories":"team/*","actions":["pull"]}]) or "admin": true');
  }
  return body.grants.map((g) => ({
    repositories: g.repositories,
    actions: g.actions.flatMap((a) => (a === '*' ? [...ACTIONS] : [a])) as Action[],
  }));
}

/** Keys by id; `after` is the last id of the previous page. */
export const getKeys: BerthHandler<{ kind: 'keys' }> = async ({ ctx, query, reply, authorize }) => {
  const limit = pageLimit(query);
  const after = searchParam(query, 'after');
  await authorize([REGISTRY_ADMIN]);
  const keys = (await ctx.deps.meta.listAccessKeys()).filter((k) => after === undefined || k.id > after).sort((a, b) => (a.id < b.id ? -1 : 1));
  const page = keys.slice(0, limit);
  sendJson(reply, 200, { keys: page.map(keyJson), next: keys.length > limit ? page.at(-1)!.id : null });
};

export const postKey: BerthHandler<{ kind: 'keys' }> = async ({ ctx, req, reply, authorize }) => {
  const actor = await authorize([REGISTRY_ADMIN]);
  const body = await readJson(req, NewKeyBody);
  const { key, secret } = await ctx.console.issueKey({ name: body.name, grants: chosenGrants(body), actor });
  reply.header('location', `/berth/v1/keys/${key.id}`);
  sendJson(reply, 201, { key: keyJson(key), secret });
};

/** Revoked at once, with every console session and token of the key; never the caller's own key (no self lock-out). */
export const deleteKey: BerthHandler<{ kind: 'key'; id: string }> = async ({ ctx, route, reply, authorize }) => {
  const actor = await authorize([REGISTRY_ADMIN]);
  if (route.id.length > MAX_KEY_ID) throw new RegistryError('INVALID_REQUEST', `no access key ${route.id.slice(0, 40)}…`);
  if (route.id === actor.principal) {
    throw new RegistryError('INVALID_REQUEST', 'a key cannot revoke itself: revoke it with another admin key (or berth key rm)');
  }
  const key = await ctx.deps.meta.findAccessKey(route.id);
  if (!key) throw new RegistryError('INVALID_REQUEST', `no access key ${route.id}`);
  await revokeAccessKey(ctx.deps.meta, key.id, actor);
  sendJson(reply, 200, { key: keyJson(key) });
};
