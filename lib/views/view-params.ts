/** Saved views: what a view keeps (pure, shared by the service and the browser). */

/** The explorer's URL parameters a saved view keeps (everything about the view, not the open entry). */
export const VIEW_PARAMS = ["q", "range", "from", "to", "actor", "action", "type", "repo", "sort", "hide"] as const;

export interface SavedView {
  id: string;
  name: string;
  /** The explorer's query string (no leading "?"): `/logs?<query>` opens the view. */
  query: string;
  created_at: string;
  updated_at: string;
}

/** Keeps only the explorer's view parameters, each at most once, in a stable order. */
export function normalizeViewQuery(raw: string): string {
  const sp = new URLSearchParams(raw.startsWith("?") ? raw.slice(1) : raw);
  const out = new URLSearchParams();
  for (const k of VIEW_PARAMS) {
    const v = sp.get(k);
    if (v !== null && v !== "") out.set(k, v);
  }
  return out.toString();
}

