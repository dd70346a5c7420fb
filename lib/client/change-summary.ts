/**
 * The explorer's "changes" column: `field: old → new` for the first two changed fields, then
 * "+N more". Values are shortened (strings quoted only when they hold spaces, objects and arrays
 * compact), so a row stays one line; the full diff is one click away.
 */
export interface ChangeSummary {
  parts: { field: string; old: string; new: string }[];
  more: number;
}

const MAX_VALUE = 40;

export function shortValue(v: unknown): string {
  if (v === undefined) return "∅";
  if (v === null) return "null";
  let s = typeof v === "string" ? (/\s/.test(v) || v === "" ? JSON.stringify(v) : v) : JSON.stringify(v);
  if (s.length > MAX_VALUE) s = `${s.slice(0, MAX_VALUE - 1)}…`;
  return s;
}

export function summarizeChanges(changes: Record<string, { old?: unknown; new?: unknown }> | undefined | null, shown = 2): ChangeSummary | null {
  const entries = Object.entries(changes ?? {});
  if (!entries.length) return null;
  return {
    parts: entries.slice(0, shown).map(([field, c]) => ({ field, old: shortValue(c.old), new: shortValue(c.new) })),
    more: Math.max(0, entries.length - shown),
  };
}

/** The summary as one line of text (title attribute, CSV, screen readers). */
export function changeSummaryText(s: ChangeSummary | null): string {
  if (!s) return "";
  return `${s.parts.map((p) => `${p.field}: ${p.old} → ${p.new}`).join(", ")}${s.more ? `, +${s.more} more` : ""}`;
}
