import { withAuditedChange } from "../audit/audit-change";
import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { getConfig } from "../config";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { parseCheckpoint } from "./checkpoint";
import { cosignatureTimestamp, verifyCosignature } from "./cosignature";
import { getStoredCheckpoint } from "./get-checkpoint";
import type { CosignatureBody } from "./integrity-schemas";
import { loadLogSigner } from "./load-log-signer";
import { parseNote, SIG_TYPE_COSIGNATURE_V1 } from "./note-format";
import { parseVerifierKey, type NoteVerifier } from "./signed-note";

/** The configured witnesses (AUDIT_WITNESS_KEYS): cosignature/v1 verifier keys. */
export function loadWitnessKeys(keys: readonly string[] = getConfig().AUDIT_WITNESS_KEYS): NoteVerifier[] {
  return keys.map((k) => {
    let v: NoteVerifier;
    try {
      v = parseVerifierKey(k);
    } catch (e) {
      throw new AppError("internal_error", `AUDIT_WITNESS_KEYS: "${k.slice(0, 60)}" is not a verifier key: ${(e as Error).message}`);
    }
    if (v.type !== SIG_TYPE_COSIGNATURE_V1) throw new AppError("internal_error", `AUDIT_WITNESS_KEYS: ${v.name}+${v.keyIdHex} is not a cosignature/v1 (type 0x04) key`);
    return v;
  });
}

export interface AddedCosignature {
  name: string;
  key_id: string;
  timestamp: string;
}

/**
 * Adds witness cosignatures (C2SP cosignature/v1) to one of the org's stored checkpoints: either one
 * signature line for `tree_size` (default the latest checkpoint), or a signed note whose checkpoint text
 * must equal the stored one of its size. Every witness line must come from a key in AUDIT_WITNESS_KEYS
 * and verify over that checkpoint text; otherwise 400 naming the field and nothing is stored. The
 * log's own signature line in a note is skipped. Sending a cosignature again changes nothing.
 * Audited as `checkpoint.cosigned` when something was added.
 */
export async function addCosignatures(opts: { db: Database; orgId: string; body: CosignatureBody; actor: Actor; witnesses?: NoteVerifier[] }): Promise<{ tree_size: number; added: AddedCosignature[]; already_present: number }> {
  const { db, orgId, body } = opts;
  const witnesses = opts.witnesses ?? loadWitnessKeys();
  const field = body.note !== undefined ? "note" : "cosignature";
  const bad = (message: string) => new AppError("invalid_parameter", `${field}: ${message}`, { field });

  let size: number | undefined;
  let lines: string[];
  if (body.note !== undefined) {
    let parsed: ReturnType<typeof parseNote>;
    try {
      parsed = parseNote(body.note);
      size = parseCheckpoint(parsed.text).size;
    } catch (e) {
      throw bad(`not a signed checkpoint note: ${(e as Error).message}`);
    }
    const log = loadLogSigner();
    lines = parsed.signatures.filter((s) => !(s.name === log.name && s.keyIdHex === log.keyIdHex)).map((s) => s.line);
    if (lines.length === 0) throw bad("the note carries no witness cosignature");
  } else {
    size = body.tree_size;
    lines = [body.cosignature!.replace(/\n$/, "")];
  }

  let stored: Awaited<ReturnType<typeof getStoredCheckpoint>>;
  try {
    stored = await getStoredCheckpoint({ sql: db.sql, orgId, size });
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") {
      const f = body.note !== undefined ? "note" : "tree_size";
      throw new AppError("invalid_parameter", `${f}: ${e.message}`, { field: f });
    }
    throw e;
  }
  const text = parseNote(stored.note).text;
  if (body.note !== undefined && parseNote(body.note).text !== text) {
    throw bad(`its checkpoint text differs from the log's checkpoint of tree size ${stored.treeSize}`);
  }

  const verified = lines.map((line) => {
    const name = line.split(" ")[1] ?? "";
    const candidates = witnesses.filter((w) => w.name === name);
    if (candidates.length === 0) throw bad(`signature line by "${name.slice(0, 100)}" is from no configured witness (AUDIT_WITNESS_KEYS)`);
    for (const w of candidates) {
      const r = verifyCosignature({ checkpointText: text, line, verifier: w });
      if (r.ok) {
        const ts = cosignatureTimestamp(line.split(" ")[2] ?? "") ?? 0;
        return { line, name: w.name, keyId: w.keyIdHex, signedAt: new Date(ts * 1000) };
      }
    }
    throw bad(`the cosignature by "${name}" does not verify over the checkpoint of tree size ${stored.treeSize}`);
  });

  return withAuditedChange({ db, orgId }, async (tx) => {
    const added: AddedCosignature[] = [];
    for (const v of verified) {
      const rows = await tx.sql.query(
        `INSERT INTO audit_checkpoint_cosignatures (org_id, tree_size, key_name, key_id, line, signed_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING key_id`,
        [orgId, stored.treeSize, v.name, v.keyId, v.line, v.signedAt],
      );
      if (rows.length) added.push({ name: v.name, key_id: v.keyId, timestamp: formatTimestamp(v.signedAt) });
    }
    const value = { tree_size: stored.treeSize, added, already_present: verified.length - added.length };
    return {
      value,
      events: added.length
        ? [{ actor: opts.actor, action: "checkpoint.cosigned", resource: { type: "checkpoint", id: String(stored.treeSize) }, details: { tree_size: stored.treeSize, witnesses: added.map((a) => `${a.name}+${a.key_id}`) } }]
        : [],
    };
  });
}
