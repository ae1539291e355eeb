// PUT /berth/v1/pin-sets/{source}: a cluster's CronJob pipes `kubectl get pods -A -o json` here with a key that holds
// only the pin-sync right; the report (up to MAX_PIN_SET_DOCUMENT_BYTES) is read only after that key is checked.
import { MAX_PIN_SET_DOCUMENT_BYTES, parsePinSetSource, RegistryError, syncPinSet } from '../../core/index.ts';
import { readBodyWithin } from '../common/body.ts';
import { type BerthHandler, PIN_SYNC, sendJson } from './context.ts';
import { durationField, textParam } from './input.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Replaces the pins of one source with the images its report names; answers the counts (also in the audit log). */
export const putPinSet: BerthHandler<{ kind: 'pin-set'; source: string }> = async ({ ctx, route, query, req, reply, authorize }) => {
  const actor = await authorize([PIN_SYNC]);
  const source = parsePinSetSource(route.source);
  const expiresInMs = durationField('expires', textParam(query, 'expires'));
  const body = await readBodyWithin(req.raw, MAX_PIN_SET_DOCUMENT_BYTES, (n) => new RegistryError('INVALID_REQUEST', `pin-set document exceeds ${n} bytes`), {
    trust: 'verified',
  });
  let document: string;
  try {
    document = utf8.decode(body);
  } catch {
    throw new RegistryError('INVALID_REQUEST', 'pin-set document is not UTF-8 text');
  }
  const result = await syncPinSet(ctx.deps, { source, document, hostNames: ctx.registryHosts?.() ?? [], expiresInMs }, actor);
  sendJson(reply, 200, result);
};
