// How `berth image rm` and `berth repo rm` show a delete's preview: what goes, what GC may collect after it, the pins
// in the way, and "X MiB from <time>" — the same figures the berth API's delete-preview answers.
import type { DeletePreview } from '../../core/index.ts';
import { formatBytes, table } from '../context.ts';

/** Rows listed per kind in the text; --json carries all the preview lists. */
const SHOWN = 50;

function shown<T>(items: T[], row: (item: T) => string[]): string[][] {
  const rows = items.slice(0, SHOWN).map(row);
  if (items.length > SHOWN) rows.push(['', `... and ${items.length - SHOWN} more`]);
  return rows;
}

/** The bytes line: how much GC gets back, and the earliest time it can. */
export function bytesLine(p: DeletePreview): string {
  const restorable = p.restorableUntil ? `; restorable until ${p.restorableUntil.toISOString()}` : '; not restorable';
  return `GC frees ${formatBytes(p.bytes.reclaimable)} (${p.bytes.reclaimable} bytes, ${p.bytes.blobs} blob(s)) from ${p.bytes.from.toISOString()}${restorable}`;
}

export function previewText(p: DeletePreview): string {
  const r = p.repository;
  const rows = [
    ['GOES', 'WHAT', 'WHY'],
    ...shown(p.tags, (t) => ['tag', `${r}:${t.tag}`, t.digest]),
    ...shown(p.manifests, (m) => ['manifest', `${r}@${m.digest}`, `${m.why}, ${formatBytes(m.size)}`]),
    ...shown(p.collectable, (c) => ['later', `${r}@${c.digest}`, `${c.why}: collectable by GC once the delete is purged`]),
  ];
  const lines = [
    `dry run: deleting ${r}${p.target.kind === 'tag' ? `:${p.target.tag}` : p.target.kind === 'manifest' ? `@${p.target.digest}` : ' (the repository)'} would remove:`,
  ];
  lines.push(rows.length > 1 ? table(rows) : '  nothing');
  if (p.blocked) {
    lines.push(`blocked by ${p.pins.length} pin(s): ${p.pins.map((x) => `${x.id} (${x.owner}: ${x.reason})`).join('; ')}`);
    lines.push(p.canBreakPins ? 'add --break-pins to delete anyway (the pins are removed and audited)' : 'only an admin on the repository may break them');
  }
  lines.push(bytesLine(p), 'Nothing was changed.');
  return lines.join('\n');
}
