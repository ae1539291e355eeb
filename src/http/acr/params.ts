// The parameters of an RPC call: the query string and, for POST, an application/x-www-form-urlencoded body, both
// decoded once here. The query alone is kept apart because ACS3 signs it while the body is covered by its hash.
import { AcrError } from './errors.ts';

export interface CallParams {
  /** The query's pairs, decoded, in wire order. */
  query: Array<[string, string]>;
  /** Query and form parameters together; each name at most once. */
  all: Map<string, string>;
}

const MAX_PARAMS = 256;

function pairs(text: string, where: string): Array<[string, string]> {
  const out = [...new URLSearchParams(text)];
  if (out.length > MAX_PARAMS) throw new AcrError('InvalidParameter', `The request carries more than ${MAX_PARAMS} parameters in its ${where}.`);
  return out;
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** A name given twice (in the query, the body or both) would be signed one way and read another, so it is refused. */
export function readParams(url: string, body: Uint8Array, contentType: string | undefined): CallParams {
  const q = url.indexOf('?');
  const query = pairs(q < 0 ? '' : url.slice(q + 1), 'query string');
  const form = body.byteLength > 0 && isForm(contentType) ? pairs(Buffer.from(body).toString('utf8'), 'form body') : [];
  const all = new Map<string, string>();
  for (const [k, v] of [...query, ...form]) {
    if (all.has(k)) throw new AcrError('InvalidParameter', `The parameter ${k.slice(0, 64)} is given more than once.`);
    all.set(k, v);
  }
  return { query, all };
}
