/** Display helpers shared by every page: counts with the right plural, byte sizes people read. */

const nf = new Intl.NumberFormat("en-US");

/** "1 event", "2 events", "1,234 entries": `n` formatted, the noun singular only for exactly 1. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${nf.format(n)} ${n === 1 ? singular : pluralForm}`;
}

/** The noun alone, for text that prints the number elsewhere. */
export const nounFor = (n: number, singular: string, pluralForm = `${singular}s`) => (n === 1 ? singular : pluralForm);

const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/** 34 275 000 → "32.7 MB" (1 KB = 1024 B, one decimal from KB up, none for bytes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}
