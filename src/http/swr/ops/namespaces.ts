// SWR namespaces (organisations) are berth namespaces, the first path segment of repository names: created
// explicitly here, or implied by a push; deleting one is refused while it holds repositories (nothing is deleted).
import { z } from 'zod';
import { createNamespace as createNamespaceOf, deleteNamespace as deleteNamespaceOf, isRegistryError, type NamespaceRecord } from '../../../core/index.ts';
import { authorizeNamespace, namespaceAuth, noRightsIn, seesNamespace } from '../authorize.ts';
import type { SwrCall, SwrOperation } from '../context.ts';
import { namespaceNotFound, SWR_ONLY, SwrError } from '../errors.ts';
import { validateBody, withFilter } from '../input.ts';
import { isSwrNamespace, parseNamespace } from '../names.ts';
import { numericId } from '../wire.ts';

const PAGE = 1000;
/** Bounds one listing (100,000 namespaces); berth's namespaces are few, this only keeps every loop finite. */
const MAX_ROUNDS = 100;

function shape(call: SwrCall, ns: NamespaceRecord): Record<string, unknown> {
  const creator = typeof ns.settings.creator_name === 'string' ? ns.settings.creator_name : '';
  return { id: numericId(`namespace:${ns.name}`), name: ns.name, creator_name: creator, auth: namespaceAuth(call.caller, ns.name) };
}

export const createNamespace: SwrOperation = async (call) => {
  const { namespace } = validateBody(z.object({ namespace: z.string() }), call.body);
  parseNamespace(namespace);
  authorizeNamespace(call.caller, namespace, 'admin');
  const deps = call.ctx.deps;
  // One implied by a pushed repository already exists for SWR users (it is listed): core answers not created.
  const outcome = await createNamespaceOf(deps, { name: namespace, settings: { creator_name: call.actor.principal } }, call.actor);
  if (!outcome.created) throw new SwrError(SWR_ONLY.namespaceExists, `namespace ${namespace} already exists`);
  return { status: 201, body: {} };
};

export const listNamespaces: SwrOperation = async (call) => {
  const query = withFilter(call.query);
  const contains = query.get('namespace') ?? undefined;
  const out: Record<string, unknown>[] = [];
  let after: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await call.ctx.deps.meta.listNamespaces({ after, nameContains: contains, limit: PAGE });
    for (const ns of page) if (isSwrNamespace(ns.name) && seesNamespace(call.caller, ns.name)) out.push(shape(call, ns));
    if (page.length < PAGE) break;
    after = page.at(-1)!.name;
  }
  return { status: 200, body: { namespaces: out } };
};

async function existing(call: SwrCall, name: string): Promise<NamespaceRecord> {
  const ns = await call.ctx.deps.meta.findNamespace(name);
  if (!ns) throw namespaceNotFound(name);
  return ns;
}

export const showNamespace: SwrOperation = async (call) => {
  const name = parseNamespace(call.route.namespace!);
  if (!seesNamespace(call.caller, name)) throw noRightsIn(call.caller, name);
  return { status: 200, body: shape(call, await existing(call, name)) };
};

export const deleteNamespace: SwrOperation = async (call) => {
  const name = parseNamespace(call.route.namespace!);
  authorizeNamespace(call.caller, name, 'admin');
  try {
    await deleteNamespaceOf(call.ctx.deps, name, call.actor);
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw namespaceNotFound(name);
    if (isRegistryError(e) && e.code === 'REPOSITORY_NOT_EMPTY') {
      throw new SwrError(SWR_ONLY.namespaceNotEmpty, `namespace ${name} still holds repositories; delete them first`);
    }
    throw e;
  }
  return { status: 204 };
};
