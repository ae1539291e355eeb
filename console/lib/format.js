// How the console writes numbers, sizes, digests, platforms and times: binary units as `berth` prints them. Plain
// functions (no Preact), so node:test checks them without a browser (format.test.js).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB"; whole bytes below 1 KiB. */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '–';
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
}

export const formatCount = (n) => (Number.isFinite(n) ? n.toLocaleString('en') : '–');

/** "2026-12-06 22:10:05" in the viewer's time zone; '–' for none. */
export function formatTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** sha256:abcdef… -> "sha256:abcdef123456" (the full digest stays in the title and in copy). */
export const shortDigest = (d) => (typeof d === 'string' && d.length > 19 ? d.slice(0, 19) : (d ?? ''));

export function platformText(p) {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/') + (p.osVersion ? ` ${p.osVersion}` : '');
}
