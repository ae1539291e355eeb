// The keys and pins pages each show one whole collection that they change and then read again: one hook does the
// reading, keeps the last error and reloads on demand, so each page keeps only what it adds.
import { useEffect, useState } from '../vendor/preact.js';
import { api, query } from './api.js';

/** `path` is listed (up to `limit`), `field` of the answer kept; `reload()` reads it again after a change. */
export function useListing(path, field, title, limit = 500) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(() => {
    api('GET', `${path}${query({ limit })}`).then(
      (r) => setItems(r[field]),
      (e) => setError(e.message),
    );
  }, [path, field, limit, version]);
  return { items, error, setError, reload: () => setVersion((v) => v + 1) };
}
