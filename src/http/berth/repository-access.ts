// What the caller may do on one repository, asked of the same gate every dialect asks (grants, then the repository
// policy's Deny), so the console hides exactly the buttons whose requests would be refused.
import { type Action, RegistryError } from '../../core/index.ts';
import { gateRequest } from '../common/access.ts';
import { type BerthHandler, onRepository, sendJson } from './context.ts';

const BEYOND_PULL: readonly Action[] = ['push', 'delete', 'admin'];

function hidden(name: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', `repository ${name} is not known`, { name });
}

export const getRepositoryAccess: BerthHandler<{ kind: 'repository-access'; name: string }> = async ({ ctx, route, req, reply, authorize }) => {
  // Who may not pull a repository is not told it exists (as every listing hides it): the same 404 as a missing one.
  try {
    await authorize([onRepository(route.name, 'pull')]);
  } catch (e) {
    throw e instanceof RegistryError && e.code === 'DENIED' ? hidden(route.name) : e;
  }
  if (!(await ctx.deps.meta.findRepository(route.name))) throw hidden(route.name);
  const request = gateRequest(req.headers, 'api');
  const actions: Action[] = ['pull'];
  for (const action of BEYOND_PULL) {
    if (await ctx.gate.alsoAllowed(request, onRepository(route.name, action))) actions.push(action);
  }
  sendJson(reply, 200, { repository: route.name, actions });
};
