// Parses the byte-range headers of blob GET (Range) and chunked upload PATCH (Content-Range).

export interface ParsedRange {
  start: number;
  end: number;
}

/**
 * `Range: bytes=a-b | bytes=a- | bytes=-n` against a blob of `size` bytes. Returns null when the header is
 * absent or not one we serve (the full body is then sent, as RFC 9110 allows), 'unsatisfiable' for 416.
 */
export function parseRange(header: string | undefined, size: number): ParsedRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** `Content-Range: a-b` (the spec's form) or `bytes a-b/*`; null when absent, 'invalid' when malformed. */
export function parseContentRange(header: string | undefined): ParsedRange | 'invalid' | null {
  if (header === undefined) return null;
  const m = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})(?:\/(?:\d{1,15}|\*))?$/.exec(header.trim());
  if (!m) return 'invalid';
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return 'invalid';
  return { start, end };
}
