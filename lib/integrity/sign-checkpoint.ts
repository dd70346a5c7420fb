import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { formatCheckpoint } from "./checkpoint";
import { toHex } from "./encoding";
import { loadLogSigner, type LogSigner } from "./load-log-signer";
import { extendFrontier, frontierRoot, leafHash, type Frontier } from "./merkle";
import { parseNote } from "./note-format";
import { signNote } from "./signed-note";
import { isStoredLevel, packFrontier, unpackFrontier } from "./tree-storage";

export interface SignCheckpointOptions {
  /** The ingest transaction; the caller holds the org's chain-head row lock (SELECT … FOR UPDATE). */
  tx: SqlExecutor;
  orgId: string;
  /** The chain head's seq as the caller locked it, before this call's entries. */
  headSeq: number;
  /** Canonical contents of the entries the caller appends in this transaction: seq headSeq+1, headSeq+2, … */
  contents: readonly string[];
  signer?: LogSigner;
}

export interface SignedCheckpoint {
  treeSize: number;
  rootHash: Uint8Array;
  /** The signed note (checkpoint text + the log's signature line). */
  note: string;
}

/**
 * Bench only (bench/integrity.bench.mts): `AUDIT_BENCH_SKIP_CHECKPOINTS=1` makes ingest skip the tree and
 * the checkpoint, to measure what they cost. An org written that way can never be signed again (its
 * tree stays behind its chain, which the next signed ingest refuses), so never set it for a service.
 */
const skipForBench = () => process.env.AUDIT_BENCH_SKIP_CHECKPOINTS === "1";

/**
 * Extends the org's Merkle tree by the entries this transaction appends and signs a checkpoint of
 * the new size (issue #9), inside the ingest transaction under the chain-head lock. Call it after
 * the entries are built and BEFORE they are inserted: it first checks that the table holds exactly
 * the entries the tree covers — no row beyond the chain head, chain head = tree size, no checkpoint
 * beyond the tree — and refuses otherwise (a row added with a plain INSERT, or a head moved by hand,
 * shows here). Refusing rolls the whole transaction back: ingest answers 503 and stores nothing, and
 * the org accepts no writes until an operator has dealt with the rows (docs/integrity.md, "When
 * ingest refuses to sign"). Checking before the INSERT means a forged row sitting on the seq this
 * batch would take is reported as what it is, not as a duplicate-key error.
 *
 * Writes: the completed subtrees at the stored levels, the checkpoint (PRIMARY KEY (org_id,
 * tree_size): a second root for a size is impossible), the new size and frontier, in one statement.
 * With no contents it signs the current tree if no checkpoint covers it yet (start-up, after the
 * migration built the tree of an existing chain) and otherwise does nothing.
 */
export async function signCheckpoint(opts: SignCheckpointOptions): Promise<SignedCheckpoint | null> {
  if (skipForBench()) return null;
  const { tx, orgId, headSeq, contents } = opts;
  const rows = await tx.query<{ tree_size: number; frontier: Uint8Array | null; slug: string; max_seq: number | null; signed_size: number | null; signed_note: string | null }>(
    `SELECT h.tree_size, h.frontier, o.slug,
       (SELECT max(e.seq) FROM audit_events e WHERE e.org_id = $1) AS max_seq,
       c.tree_size AS signed_size, c.note AS signed_note
     FROM audit_chain_heads h JOIN orgs o ON o.id = h.org_id
     LEFT JOIN LATERAL (SELECT tree_size, note FROM audit_checkpoints WHERE org_id = $1 ORDER BY tree_size DESC LIMIT 1) c ON true
     WHERE h.org_id = $1`,
    [orgId],
  );
  const row = rows[0];
  if (!row) throw new AppError("internal_error", "signCheckpoint: the org's chain head is missing (lock it first)");
  const treeSize = Number(row.tree_size);
  const maxSeq = row.max_seq === null ? 0 : Number(row.max_seq);
  const signedSize = row.signed_size === null ? null : Number(row.signed_size);

  const problem =
    maxSeq > headSeq
      ? { from: headSeq + 1, to: maxSeq, what: `entries ${range(headSeq + 1, maxSeq)} are stored beyond the chain head (seq ${headSeq})` }
      : treeSize < headSeq
        ? { from: treeSize + 1, to: headSeq, what: `entries ${range(treeSize + 1, headSeq)} were added outside ingest: no checkpoint covers them (tree size ${treeSize})` }
        : treeSize > headSeq
          ? { from: headSeq + 1, to: treeSize, what: `the chain head (seq ${headSeq}) is behind the signed tree (size ${treeSize}): entries were removed or the head was moved back` }
          : signedSize !== null && signedSize > treeSize
            ? { from: treeSize + 1, to: signedSize, what: `a checkpoint of size ${signedSize} exists beyond the tree (size ${treeSize})` }
            : null;
  if (problem) {
    console.error(`[audit-trail] integrity alarm: org ${orgId} (${row.slug}): ${problem.what}. Refusing to sign; ingest for this org is refused until an operator resolves it (docs/integrity.md).`);
    throw new AppError(
      "service_unavailable",
      `the log refuses to sign: ${problem.what}. Writes to this org are refused until an operator resolves it; POST /api/v1/audit/verify shows the details`,
      { details: { integrity: { uncovered_from_seq: problem.from, uncovered_to_seq: problem.to } } },
    );
  }
  if (contents.length === 0 && (treeSize === 0 || signedSize === treeSize)) return null;

  const signer = opts.signer ?? loadLogSigner();
  let frontier: Frontier = unpackFrontier(row.frontier);
  let extended: ReturnType<typeof extendFrontier>;
  try {
    extended = extendFrontier({ frontier, size: treeSize, leafHashes: contents.map((c) => leafHash(c)) });
  } catch (e) {
    console.error(`[audit-trail] integrity alarm: org ${orgId} (${row.slug}): the stored frontier does not fit tree size ${treeSize}. Refusing to sign.`);
    throw new AppError("service_unavailable", `the log refuses to sign: its stored tree state is damaged (${(e as Error).message})`);
  }
  frontier = extended.frontier;
  const size = extended.size;
  const rootHash = frontierRoot(frontier);
  const origin = signer.origin(row.slug);
  const note = signNote({ text: formatCheckpoint({ origin, size, rootHash }), signer: signer.signer });
  if (row.signed_note) warnOnKeyChange(orgId, row.signed_note, signer, origin);

  const stored = extended.completed.filter((c) => isStoredLevel(c.level));
  await tx.query(
    `WITH nodes AS (
       INSERT INTO audit_merkle_nodes (org_id, level, idx, hash)
       SELECT $1, u.level, u.idx, substring(decode($4, 'hex') FROM (u.o::int - 1) * 32 + 1 FOR 32)
       FROM unnest($2::int[], $3::bigint[]) WITH ORDINALITY AS u(level, idx, o)
     ), cp AS (
       INSERT INTO audit_checkpoints (org_id, tree_size, root_hash, note) VALUES ($1, $5, decode($6, 'hex'), $7)
     )
     UPDATE audit_chain_heads SET tree_size = $5, frontier = decode($8, 'hex') WHERE org_id = $1`,
    [orgId, stored.map((c) => c.level), stored.map((c) => c.index), stored.map((c) => toHex(c.hash)).join(""), size, toHex(rootHash), note, packFrontier(frontier)],
  );
  return { treeSize: size, rootHash, note };
}

const range = (a: number, b: number) => (a === b ? `seq ${a}` : `seq ${a}..${b}`);

const warned = new Set<string>();

/** Instances sharing a database must share the key and origin; say so once per org when they do not. */
function warnOnKeyChange(orgId: string, lastNote: string, signer: LogSigner, origin: string): void {
  if (warned.has(orgId)) return;
  let lastOrigin = "";
  let lastKey = "";
  try {
    const parsed = parseNote(lastNote);
    lastOrigin = parsed.text.slice(0, parsed.text.indexOf("\n"));
    const sig = parsed.signatures[0];
    lastKey = sig ? `${sig.name}+${sig.keyIdHex}` : "";
  } catch {
    return;
  }
  const key = `${signer.name}+${signer.keyIdHex}`;
  if (lastOrigin === origin && lastKey === key) return;
  warned.add(orgId);
  console.error(
    `[audit-trail] warning: org ${orgId}: the previous checkpoint was signed by ${lastKey} with origin "${lastOrigin}", this instance signs with ${key} and origin "${origin}". ` +
      "Every instance on one database must use the same AUDIT_LOG_SIGNING_KEY and AUDIT_LOG_ORIGIN; verifiers holding the earlier key will reject the new checkpoints.",
  );
}
