import { fromBase64, toBase64 } from "../integrity/encoding";

/**
 * The statement a retention cut is covered by (issue #9 item 4/5): a C2SP signed note, signed with
 * the log key, whose text is
 *
 *   <origin>
 *   audit-trail retention cut v1
 *   cut <cut_seq> <cut_hash>
 *   cutoff <timestamp>
 *   frontier <base64 hash> …          (the compact range of the Merkle tree of size cut_seq,
 *                                     largest subtree first; "frontier unknown" when not known)
 *
 * `cut_hash` is the chain hash of entry cut_seq (the first remaining entry's previous_hash); the
 * frontier lets verify recompute every later tree root without the removed entries. The database
 * function audit_retention_purge() refuses a note without the line "cut <seq> <hash>" of the cut it
 * makes, and stores the note in audit_chain_cuts.note.
 */
export const CUT_NOTE_HEADER = "audit-trail retention cut v1";

export interface CutStatement {
  origin: string;
  cutSeq: number;
  cutHash: string;
  cutoff: string;
  /** null: the tree state at the cut is not known (a cut after one made before issue #9). */
  frontier: Uint8Array[] | null;
}

export function formatCutNoteText(s: CutStatement): string {
  const frontier = s.frontier === null ? "unknown" : s.frontier.map(toBase64).join(" ");
  return `${s.origin}\n${CUT_NOTE_HEADER}\ncut ${s.cutSeq} ${s.cutHash}\ncutoff ${s.cutoff}\nfrontier ${frontier}`.trimEnd() + "\n";
}

/** Parses a cut note's text (the part before the signatures); null when it is not one. */
export function parseCutNoteText(text: string): CutStatement | null {
  const lines = text.split("\n");
  if (lines.length < 6 || lines[lines.length - 1] !== "" || lines[1] !== CUT_NOTE_HEADER) return null;
  const cut = /^cut (\d+) (sha256:[0-9a-f]{64})$/.exec(lines[2]!);
  const cutoff = /^cutoff (\S+)$/.exec(lines[3]!);
  const fr = /^frontier(?: (.*))?$/.exec(lines[4]!);
  if (!lines[0] || !cut || !cutoff || !fr || lines.length !== 6) return null;
  let frontier: Uint8Array[] | null = null;
  if (fr[1] !== "unknown") {
    frontier = [];
    for (const part of (fr[1] ?? "").split(" ").filter(Boolean)) {
      const h = fromBase64(part);
      if (!h || h.length !== 32) return null;
      frontier.push(h);
    }
  }
  return { origin: lines[0], cutSeq: Number(cut[1]), cutHash: cut[2]!, cutoff: cutoff[1]!, frontier };
}

/** The text part of a signed note (up to and including the line before the blank line). */
export function noteText(note: string): string {
  const i = note.indexOf("\n\n");
  return i < 0 ? note : note.slice(0, i + 1);
}
