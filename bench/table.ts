// The bench's tables are Markdown, so a run's output pastes into the README as it is; one formatter for all of them.

/** Number formatting of every table: whole numbers from 100 up, one decimal below. */
export const fmt = (n: number): string => (!Number.isFinite(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** `lines[0]` is the header; columns padded to their widest cell. */
export function markdownTable(lines: string[][]): string[] {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const out = lines.map((l) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  return out;
}
