import type { Database } from "../db/open-database";
import { formatCutNoteText, type CutStatement } from "./cut-note";

/**
 * The cut note for a retention cut of one org, signed with the log key (issue #9 item 4).
 * INTERIM: until lib/integrity/load-log-signer.ts (H2a) lands this returns the unsigned text, which
 * verify reports as an uncovered cut.
 */
export async function signCutNote(opts: { db: Database; orgId: string; statement: Omit<CutStatement, "origin"> }): Promise<string> {
  const org = await opts.db.prisma.org.findUnique({ where: { id: opts.orgId }, select: { slug: true } });
  return formatCutNoteText({ ...opts.statement, origin: `audit-trail/${org?.slug ?? opts.orgId}` });
}
