import type { SqlExecutor } from "../db/sql";
import { loadLogSigner, type LogSigner } from "../integrity/load-log-signer";
import { signNote } from "../integrity/signed-note";
import { formatCutNoteText, type CutStatement } from "./cut-note";

/**
 * The cut note for a retention cut of one org (lib/retention/cut-note.ts), signed with the log key
 * (issue #9 item 4): the statement that makes the cut valid for verify. Origin = the org's
 * checkpoint origin. Reads the slug through the caller's transaction.
 */
export async function signCutNote(opts: { tx: SqlExecutor; orgId: string; statement: Omit<CutStatement, "origin">; signer?: LogSigner }): Promise<string> {
  const [org] = await opts.tx.query<{ slug: string }>(`SELECT slug FROM orgs WHERE id = $1`, [opts.orgId]);
  const signer = opts.signer ?? loadLogSigner();
  const text = formatCutNoteText({ ...opts.statement, origin: signer.origin(org?.slug ?? opts.orgId) });
  return signNote({ text, signer: signer.signer });
}
