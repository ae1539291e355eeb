// Names in cloud-API paths arrive percent-encoded by SDKs that encode more than they must; one decoder, used after
// the signature is checked over the raw target, gives SWR and NCR the same "decode once, then validate" rule.

const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * Decodes one raw path segment exactly once, but only the escapes that can spell a name: unreserved characters
 * (RFC 3986: letters, digits, `-._~`) and the dialect's documented escapes (`extra`, e.g. "$" for SWR, "/" for
 * NCR's imageName). Every other escape, and a malformed one, stays as written, so the '%' it leaves makes the
 * dialect's name grammar refuse it: "%2E%2E" becomes ".." and "%25" stays "%25", both invalid names.
 */
export function decodePathSegment(raw: string, extra = ''): string {
  return raw.replace(ESCAPE, (encoded, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(c) || extra.includes(c) ? c : encoded;
  });
}
