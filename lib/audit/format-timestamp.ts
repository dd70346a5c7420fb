/**
 * Timestamps render as in the seed documents: `2024-01-15T10:30:00Z`, with milliseconds only when
 * they are not zero (`2024-01-15T10:30:00.250Z`). Stored precision is the millisecond.
 */
export function formatTimestamp(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, 19)}Z` : iso;
}
