import type { SqlClient } from "../db/sql";
import { parseCheckpoint } from "../integrity/checkpoint";
import { toHex } from "../integrity/encoding";
import { getCheckpoint } from "../integrity/get-checkpoint";
import { loadLogSigner } from "../integrity/load-log-signer";
import { proveConsistency } from "../integrity/prove-consistency";
import { proveEntries } from "../integrity/prove-entries";
import { openNote, signNote } from "../integrity/signed-note";
import {
  CONSISTENCY_FORMAT,
  CONSISTENCY_SIZES_PER_KIND,
  jsonlStatement,
  manifestStatement,
  MULTIPROOF_FORMAT,
  TRAILER_KEY,
  JSONL_TRAILER_FORMAT,
  VERIFICATION_FILES,
  type ConsistencyProof,
  type VerificationMaterial,
} from "./verification-format";

/**
 * Gathers what makes an export verifiable offline (docs/exports.md, "Verifiable exports"): the
 * latest signed checkpoint (it covers every entry read before this call), the log's verifier key,
 * a multiproof for the given leaves (seq − 1), consistency proofs from earlier sizes an auditor may
 * hold (earlier packages' checkpoints, witnessed checkpoints), and a signer for the file statement.
 */
export async function buildVerification(opts: { sql: SqlClient; orgId: string; seqs: Iterable<number> }): Promise<VerificationMaterial> {
  const { sql, orgId } = opts;
  const signer = await loadLogSigner();
  const note = await getCheckpoint({ sql, orgId });
  const opened = openNote({ note, verifiers: [signer.vkey] });
  const cp = parseCheckpoint(opened.text);
  const indices: number[] = [];
  for (const s of opts.seqs) indices.push(s - 1);
  const multi = await proveEntries({ sql, orgId, treeSize: cp.size, indices });
  const proofs: ConsistencyProof[] = [];
  const earlier = await earlierSizes(sql, orgId, cp.size);
  for (const first of earlier.all) {
    const p = await proveConsistency({ sql, orgId, first, second: cp.size });
    proofs.push({ first, second: cp.size, hashes: p.hashes.map(hexOf) });
  }
  // Witnesses cosign now and then, so the latest checkpoint usually carries no cosignature yet: the
  // witnessed ones travel along (with a proof each), and the verifier accepts a witness's cosignature
  // on a checkpoint that covers every entry of the file and that the file's checkpoint extends.
  const witnessed: string[] = [];
  for (const size of earlier.cosigned) witnessed.push(await getCheckpoint({ sql, orgId, size }));
  return {
    log: { origin: cp.origin, tree_size: cp.size, root_hash: toHex(cp.rootHash) },
    checkpoint: note,
    publicKey: signer.vkey,
    proof: { format: MULTIPROOF_FORMAT, origin: cp.origin, tree_size: cp.size, nodes: multi.nodes.map((n) => ({ start: n.start, end: n.end, hash: hexOf(n.hash) })) },
    consistency: { format: CONSISTENCY_FORMAT, origin: cp.origin, tree_size: cp.size, proofs, ...(witnessed.length && { witnessed }) },
    sign: (statement) => signNote({ text: statement, signer: signer.signer }),
  };
}

const hexOf = (h: string | Uint8Array): string => (typeof h === "string" ? h.toLowerCase() : toHex(h));

/**
 * Earlier tree sizes an auditor may have kept a checkpoint of: the checkpoints of this org's earlier
 * evidence packages and log exports (export.completed records them) and witnessed checkpoints; the
 * newest CONSISTENCY_SIZES_PER_KIND of each, below `size`.
 */
async function earlierSizes(sql: SqlClient, orgId: string, size: number): Promise<{ all: number[]; cosigned: number[] }> {
  const rows = await sql.query<{ size: string; cosigned: boolean }>(
    `(SELECT DISTINCT (content::jsonb #>> '{details,tree_size}')::int8 AS size, false AS cosigned FROM (
        SELECT content FROM audit_events WHERE org_id = $1 AND action = 'export.completed' ORDER BY seq DESC LIMIT $3) e
      WHERE (content::jsonb #>> '{details,tree_size}') IS NOT NULL)
     UNION ALL
     (SELECT DISTINCT tree_size AS size, true AS cosigned FROM audit_checkpoint_cosignatures WHERE org_id = $1 AND tree_size <= $2 ORDER BY tree_size DESC LIMIT $3)`,
    [orgId, size, CONSISTENCY_SIZES_PER_KIND],
  );
  const sizes = rows.map((r) => ({ size: Number(r.size), cosigned: r.cosigned === true || String(r.cosigned) === "t" }));
  const all = [...new Set(sizes.map((r) => r.size))].filter((s) => s > 0 && s < size).sort((a, b) => a - b);
  const cosigned = [...new Set(sizes.filter((r) => r.cosigned && r.size < size).map((r) => r.size))].sort((a, b) => a - b);
  return { all, cosigned };
}

/** The files of an evidence package's `verification/` folder. */
export function verificationFiles(m: VerificationMaterial): Array<{ name: string; text: string; description: string }> {
  return [
    { name: VERIFICATION_FILES.checkpoint, text: m.checkpoint, description: "The log's signed checkpoint (C2SP tlog-checkpoint, signed note, with any witness cosignatures) covering every entry in this package." },
    { name: VERIFICATION_FILES.publicKey, text: `${m.publicKey}\n`, description: "The log's verifier key (C2SP signed-note). Compare it with the one the operator published." },
    { name: VERIFICATION_FILES.proof, text: `${JSON.stringify(m.proof)}\n`, description: "Merkle multiproof: with the leaf hashes of every entry in this package these subtree hashes give the checkpoint's root." },
    { name: VERIFICATION_FILES.consistency, text: `${JSON.stringify(m.consistency)}\n`, description: "RFC 9162 consistency proofs from earlier checkpoint sizes (earlier packages, witnessed checkpoints) to this package's." },
  ];
}

/** `manifest.sig`: the log key's signed note over the manifest's SHA-256. */
export const signManifest = (m: VerificationMaterial, manifestSha256Hex: string): string => m.sign(manifestStatement(manifestSha256Hex));

/** The last line of a JSONL log export. */
export function jsonlTrailer(m: VerificationMaterial, bodySha256Hex: string, lines: number): string {
  const trailer = {
    format: JSONL_TRAILER_FORMAT,
    lines,
    sha256: bodySha256Hex,
    log: m.log,
    checkpoint: m.checkpoint,
    public_key: m.publicKey,
    proof: m.proof,
    consistency: m.consistency,
    signature: m.sign(jsonlStatement(bodySha256Hex, lines)),
  };
  return `${JSON.stringify({ [TRAILER_KEY]: trailer })}\n`;
}
