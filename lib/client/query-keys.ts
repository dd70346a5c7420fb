/**
 * The one query-key factory. Keys are arrays from general to specific, so that
 * `invalidateQueries({queryKey: queryKeys.events.all})` refreshes every event query.
 * Other pages add their own branch here (exports, analytics, settings…).
 */
export const queryKeys = {
  me: ["me"] as const,
  users: ["users"] as const,
  tokens: ["tokens"] as const,
  events: {
    all: ["events"] as const,
    list: (filter: Record<string, unknown>) => ["events", "list", filter] as const,
    histogram: (filter: Record<string, unknown>) => ["events", "histogram", filter] as const,
    facets: (filter: Record<string, unknown>) => ["events", "facets", filter] as const,
    detail: (id: string) => ["events", "detail", id] as const,
    context: (id: string) => ["events", "context", id] as const,
  },
  verify: (range: Record<string, unknown>) => ["verify", range] as const,
  integrity: {
    all: ["integrity"] as const,
    entryProof: (id: string) => ["integrity", "entry-proof", id] as const,
    checkpoint: ["integrity", "checkpoint"] as const,
    verifications: ["integrity", "verifications"] as const,
  },
};
