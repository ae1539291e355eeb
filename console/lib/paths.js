// Query strings and repository names in /berth/v1 paths, as plain functions (checked by paths.test.js).
/** `?a=1&b=…` from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A repository name in a path: its slashes stay (the API matches the raw URL, like /v2), the rest is escaped. */
export const repoPath = (name) => name.split('/').map(encodeURIComponent).join('/');
