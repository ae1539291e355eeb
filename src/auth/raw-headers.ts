// The headers of a request as the HMAC signers (AWS SigV4, Huawei SDK-HMAC) read them before signing: from the raw
// list, so a value is exactly what was sent, not what a framework merged or dropped.

/** Lower-case name to its values trimmed and joined with "," in arrival order (repeated headers, as the signers do). */
export function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim();
    const prior = out.get(name);
    out.set(name, prior === undefined ? value : `${prior},${value}`);
  }
  return out;
}
