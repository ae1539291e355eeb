// Plain-object helpers for layering config sources and freezing the result; kept apart so load.ts reads as the precedence story.

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets `value` at `path`, creating sections as needed. A section that holds something other than an object is left as it
 * is, so validation still reports the mistake where it was made instead of an override quietly papering over it.
 */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      define(node, key, created);
      node = created;
    } else if (isPlainObject(next)) {
      node = next;
    } else {
      return;
    }
  }
  define(node, path[path.length - 1]!, value);
}

/** A copy without null values at any depth: in YAML `key:` with nothing after it means "not set". */
export function dropNulls(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== null) define(out, key, isPlainObject(value) ? dropNulls(value) : value);
  }
  return out;
}

/** Reads the value at `path`, or undefined. */
export function getPath(source: unknown, path: readonly (string | number | symbol)[]): unknown {
  let node = source;
  for (const key of path) {
    if (!isPlainObject(node) || typeof key === 'symbol' || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

// defineProperty, not assignment: a key named "__proto__" from a file must stay a (rejected) key, never a prototype.
function define(node: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Freezes an object graph in place, so a config handed to many parts can be changed by none. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key]);
  }
  return value;
}
