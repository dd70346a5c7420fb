import type { SqlExecutor } from "../db/sql";
import { AppError } from "../errors";
import { formatCheckpoint } from "./checkpoint";
import { toHex } from "./encoding";
import { loadLogSigner, type LogSigner } from "./load-log-signer";
import { extendFrontier, extendFrontierByContents, frontierRoot, type CompletedSubtree, type Frontier } from "./merkle";
import { parseNote } from "./note-format";
import { signNote } from "./signed-note";
import { isStoredLevel, packFrontier, unpackFrontier } from "./tree-storage";

export interface SignCheckpointOptions {
  /** The ingest transaction; the caller holds the org's chain-head row lock (SELECT … FOR UPDATE). */
  tx: SqlExecutor;
  orgId: string;
  /** The chain head's seq as the caller locked it, before this call's entries. */
  headSeq: number;
  /**
   * The tree state of the chain-head row as the caller's lock query read it (`tree_size, frontier`:
   * {@link CHAIN_HEAD_TREE_COLUMNS}). With it, checking and writing take ONE statement; without it
   * signCheckpoint reads the row itself first (one more round trip).
   */
  tree?: { size: number; frontier: Uint8Array | null };
  /**
   * How many of those entries this transaction has INSERTed already (a pipelined append inserts
   * before it locks: lib/audit/append-events.ts): they may lie beyond the head; nothing else may.
   */
  inserted?: number;
  /** Canonical contents of the entries the caller appends in this transaction: seq headSeq+1, headSeq+2, … */
  contents?: readonly string[];
  /** Or their leaf hashes (leafHash(content), 32 bytes each), when the caller computed them already. */
  leafHashes?: readonly Uint8Array[];
  signer?: LogSigner;
}

/** The chain-head columns a caller's lock query can return for {@link SignCheckpointOptions.tree}. */
export const CHAIN_HEAD_TREE_COLUMNS = "tree_size, frontier";

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

/** Org slugs (the checkpoint origin's last part) seen by this process: the app never changes a slug. */
const slugs = new Map<string, string>();

type Problem = { from: number; to: number; what: string };

/**
 * What must hold before the log signs on top of the tree: no row beyond the chain head, chain head =
 * tree size, no checkpoint beyond the tree. Null when all holds.
 */
function findProblem(o: { headSeq: number; treeSize: number; maxSeq: number; signedSize: number | null; inserted?: number }): Problem | null {
  const { headSeq, treeSize, maxSeq, signedSize } = o;
  const allowed = headSeq + (o.inserted ?? 0);
  return maxSeq > allowed
    ? { from: allowed + 1, to: maxSeq, what: `entries ${range(allowed + 1, maxSeq)} are stored beyond the chain head (seq ${headSeq})` }
    : treeSize < headSeq
      ? { from: treeSize + 1, to: headSeq, what: `entries ${range(treeSize + 1, headSeq)} were added outside ingest: no checkpoint covers them (tree size ${treeSize})` }
      : treeSize > headSeq
        ? { from: headSeq + 1, to: treeSize, what: `the chain head (seq ${headSeq}) is behind the signed tree (size ${treeSize}): entries were removed or the head was moved back` }
        : signedSize !== null && signedSize > treeSize
          ? { from: treeSize + 1, to: signedSize, what: `a checkpoint of size ${signedSize} exists beyond the tree (size ${treeSize})` }
          : null;
}

function refuse(orgId: string, slug: string, problem: Problem): never {
  console.error(`[audit-trail] integrity alarm: org ${orgId} (${slug}): ${problem.what}. Refusing to sign; ingest for this org is refused until an operator resolves it (docs/integrity.md).`);
  throw new AppError(
    "service_unavailable",
    `the log refuses to sign: ${problem.what}. Writes to this org are refused until an operator resolves it; POST /api/v1/audit/verify shows the details`,
    { details: { integrity: { uncovered_from_seq: problem.from, uncovered_to_seq: problem.to } } },
  );
}

/** The read of the checks, for a caller that gave no tree state (and to name the problem precisely). */
async function readState(tx: SqlExecutor, orgId: string) {
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
  slugs.set(orgId, row.slug);
  return {
    treeSize: Number(row.tree_size),
    frontier: row.frontier,
    slug: row.slug,
    maxSeq: row.max_seq === null ? 0 : Number(row.max_seq),
    signedSize: row.signed_size === null ? null : Number(row.signed_size),
    signedNote: row.signed_note,
  };
}

/**
 * The checks and the writes in one statement (data-modifying CTEs, one snapshot taken after the
 * caller's lock): the writes happen only when no row lies beyond the chain head and no checkpoint
 * beyond the tree; the statement returns what it found, and the caller refuses when it wrote nothing.
 * Writes: the completed subtrees at the stored levels, the checkpoint (PRIMARY KEY (org_id,
 * tree_size): a second root for a size is impossible), the new size and frontier.
 */
const CHECK_AND_WRITE = `WITH chk AS (
    SELECT (SELECT max(e.seq) FROM audit_events e WHERE e.org_id = $1) AS max_seq,
           (SELECT max(c.tree_size) FROM audit_checkpoints c WHERE c.org_id = $1) AS signed_size
  ), ok AS (
    SELECT 1 FROM chk WHERE coalesce(chk.max_seq, 0) <= $9 AND coalesce(chk.signed_size, 0) <= $10
  ), nodes AS (
    INSERT INTO audit_merkle_nodes (org_id, level, idx, hash)
    SELECT $1, u.level, u.idx, substring(decode($4, 'hex') FROM (u.o::int - 1) * 32 + 1 FOR 32)
    FROM unnest($2::int[], $3::bigint[]) WITH ORDINALITY AS u(level, idx, o)
    WHERE EXISTS (SELECT 1 FROM ok)
  ), cp AS (
    INSERT INTO audit_checkpoints (org_id, tree_size, root_hash, note) SELECT $1, $5, decode($6, 'hex'), $7 WHERE EXISTS (SELECT 1 FROM ok)
  ), hd AS (
    UPDATE audit_chain_heads SET tree_size = $5, frontier = decode($8, 'hex')
    WHERE org_id = $1 AND tree_size = $10 AND EXISTS (SELECT 1 FROM ok) RETURNING 1
  )
  SELECT chk.max_seq, chk.signed_size, (SELECT count(*) FROM hd)::int AS moved,
    (SELECT c.note FROM audit_checkpoints c WHERE c.org_id = $1 AND c.tree_size = chk.signed_size) AS signed_note
  FROM chk`;

/**
 * Extends the org's Merkle tree by the entries this transaction appends and signs a checkpoint of
 * the new size (issue #9), inside the ingest transaction under the chain-head lock. Call it after
 * the entries are built and BEFORE they are inserted: it checks that the table holds exactly the
 * entries the tree covers — no row beyond the chain head, chain head = tree size, no checkpoint
 * beyond the tree — and refuses otherwise (a row added with a plain INSERT, or a head moved by hand,
 * shows here). Refusing rolls the whole transaction back: ingest answers 503 and stores nothing, and
 * the org accepts no writes until an operator has dealt with the rows (docs/integrity.md, "When
 * ingest refuses to sign"). Checking before the INSERT means a forged row sitting on the seq this
 * batch would take is reported as what it is, not as a duplicate-key error.
 *
 * Round trips: one statement (checks + writes) when the caller passes the tree state its lock query
 * read (`tree`); otherwise one read first. With no entries it signs the current tree if no
 * checkpoint covers it yet (start-up, after the migration built the tree of an existing chain) and
 * otherwise does nothing.
 */
export async function signCheckpoint(opts: SignCheckpointOptions): Promise<SignedCheckpoint | null> {
  if (skipForBench()) return null;
  const { tx, orgId, headSeq } = opts;
  const count = opts.leafHashes?.length ?? opts.contents?.length ?? 0;

  let state: { treeSize: number; frontier: Uint8Array | null; slug: string; signedNote: string | null };
  const slug = slugs.get(orgId);
  if (opts.tree && opts.tree.size === headSeq && slug !== undefined && count > 0) {
    state = { treeSize: opts.tree.size, frontier: opts.tree.frontier, slug, signedNote: null };
  } else {
    // No tree state from the caller (or it does not fit the head: name the problem precisely).
    const read = await readState(tx, orgId);
    const problem = findProblem({ headSeq, inserted: opts.inserted, ...read });
    if (problem) refuse(orgId, read.slug, problem);
    if (count === 0 && (read.treeSize === 0 || read.signedSize === read.treeSize)) return null;
    state = read;
  }

  const signer = opts.signer ?? loadLogSigner();
  let extended: { frontier: Frontier; size: number; completed: CompletedSubtree[] };
  try {
    const base = { frontier: unpackFrontier(state.frontier), size: state.treeSize, keepLevel: isStoredLevel };
    extended = opts.leafHashes ? extendFrontier({ ...base, leafHashes: opts.leafHashes }) : extendFrontierByContents({ ...base, contents: opts.contents ?? [] });
  } catch (e) {
    console.error(`[audit-trail] integrity alarm: org ${orgId} (${state.slug}): the stored frontier does not fit tree size ${state.treeSize}. Refusing to sign.`);
    throw new AppError("service_unavailable", `the log refuses to sign: its stored tree state is damaged (${(e as Error).message})`);
  }
  const size = extended.size;
  const rootHash = frontierRoot(extended.frontier);
  const origin = signer.origin(state.slug);
  const note = signNote({ text: formatCheckpoint({ origin, size, rootHash }), signer: signer.signer });

  const stored = extended.completed;
  const [row] = await tx.query<{ max_seq: number | null; signed_size: number | null; moved: number; signed_note: string | null }>(CHECK_AND_WRITE, [
    orgId,
    stored.map((c) => c.level),
    stored.map((c) => c.index),
    stored.map((c) => toHex(c.hash)).join(""),
    size,
    toHex(rootHash),
    note,
    packFrontier(extended.frontier),
    headSeq + (opts.inserted ?? 0),
    state.treeSize,
  ]);
  const problem = findProblem({
    headSeq,
    inserted: opts.inserted,
    treeSize: state.treeSize,
    maxSeq: row?.max_seq === null || row?.max_seq === undefined ? 0 : Number(row.max_seq),
    signedSize: row?.signed_size === null || row?.signed_size === undefined ? null : Number(row.signed_size),
  });
  if (problem) refuse(orgId, state.slug, problem);
  if (Number(row?.moved) !== 1) throw new AppError("internal_error", "signCheckpoint: the chain head's tree state changed under the lock");
  const lastNote = state.signedNote ?? row?.signed_note ?? null;
  if (lastNote) warnOnKeyChange(orgId, lastNote, signer, origin);
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
