import type { Database } from "../db/open-database";
import { getRetentionPolicy } from "../retention/retention-policy";

/** How long evidence packages are kept: the org's retention policy, evidence_exports.retention_days (30 by default). */
export async function getEvidenceRetentionDays(opts: { db: Database; orgId: string }): Promise<number> {
  return (await getRetentionPolicy(opts)).evidence_exports.retention_days;
}
