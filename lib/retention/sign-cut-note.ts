import type { SqlExecutor } from "../db/sql";
import { formatCutNoteText, type CutStatement } from "./cut-note";

/**
 * The cut note for a retention cut of one org, signed with the log key (issue #9 item 4).
 * INTERIM: until lib/integrity/load-log-signer.ts (H2a) lands this returns the unsigned text, which
 * verify reports as an uncovered cut.
 */
export async function signCutNote(opts: { tx: SqlExecutor; orgId: string; statement: Omit<CutStatement, "origin"> }): Promise<string> {
  const [org] = await opts.tx.query<{ slug: string }>(`SELECT slug FROM orgs WHERE id = $1`, [opts.orgId]);
  return formatCutNoteText({ ...opts.statement, origin: `audit-trail/${org?.slug ?? opts.orgId}` });
}
