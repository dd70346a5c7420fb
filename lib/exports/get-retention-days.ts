import type { Database } from "../db/open-database";

/**
 * How long evidence packages are kept: the retention policy's evidence_exports.retention_days.
 * Until the retention policy (lib/retention/) lands, the default of 30 days. One switch point.
 */
export async function getEvidenceRetentionDays(_opts: { db: Database; orgId: string }): Promise<number> {
  return 30;
}
