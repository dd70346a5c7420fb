import { z } from "zod";

/** Body of POST /api/v1/audit/verify (optional): the range to verify. */
export const VerifyBodySchema = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    repository_id: z.string().min(1).optional(),
    /** Recompute the digest of every column attestation (slower) instead of trusting unchanged row versions. */
    deep: z.boolean().optional(),
  })
  .strict();

/** What a problem is (docs/integrity.md, "Verify through the API"). */
export const ChainProblemKind = z.enum([
  // the hash chain (since issue #1)
  "hash_mismatch",
  "broken_link",
  "gap",
  "missing_tail",
  // issue #9: copied query columns
  "column_mismatch",
  "attestation_invalid",
  // issue #9: the Merkle tree and its signed checkpoints
  "checkpoint_invalid",
  "root_mismatch",
  "tree_incomplete",
  "truncated",
  "head_rollback",
  "uncovered",
  "cut_unsigned",
  "guard_disabled",
]);

export const ChainProblemSchema = z.object({
  seq: z.number().int(),
  id: z.string().nullable(),
  problem: ChainProblemKind,
  /** column_mismatch: the copied column that disagrees with the content (e.g. "actor_email"). */
  field: z.string().optional(),
  /** Checkpoint problems: the tree size of the checkpoint concerned. */
  checkpoint_size: z.number().int().optional(),
  message: z.string(),
});

export const LogVerificationSchema = z.object({
  /** The verifier key the checkpoints, cut notes and attestations were checked with. */
  key: z.string(),
  origin: z.string(),
  /** Size of the Merkle tree recomputed from the stored entries (leaf i = entry seq i+1). */
  tree_size: z.number().int(),
  /** Its root (hex), or null when the tree could not be recomputed (a gap, an unsigned cut). */
  root_hash: z.string().nullable(),
  latest_checkpoint: z.object({ tree_size: z.number().int(), root_hash: z.string() }).nullable(),
  checkpoints: z.number().int(),
  /** Checkpoints whose root was compared with the recomputed root of the same size. */
  checkpoints_checked: z.number().int(),
  checkpoints_invalid: z.number().int(),
  root_mismatches: z.number().int(),
  /** Entries after the latest valid checkpoint (no signed statement covers them). */
  uncovered_entries: z.number().int(),
  /** Entries a valid checkpoint covers that are missing from the end of the table. */
  truncated_entries: z.number().int(),
  head_rollback: z.boolean(),
  cuts_invalid: z.number().int(),
  attestations: z.number().int(),
  attestations_invalid: z.number().int(),
  /** Entries whose copied columns no valid attestation covers (checked by parsing their content). */
  unattested_entries: z.number().int(),
  /** The append-only triggers of audit_events exist and are ENABLE ALWAYS. */
  guards_ok: z.boolean(),
});

/** The answer of POST /api/v1/audit/verify (the `data` member). */
export const VerifyResultSchema = z.object({
  verified: z.boolean(),
  logs_checked: z.number().int(),
  chain_valid: z.boolean(),
  hash_mismatches: z.number().int(),
  gaps_detected: z.number().int(),
  broken_links: z.number().int(),
  /** Issue #9: copied query columns that disagree with the content. */
  column_mismatches: z.number().int(),
  verification_hash: z.string(),
  verified_at: z.string(),
  first_seq: z.number().int().nullable(),
  last_seq: z.number().int().nullable(),
  chain_head: z.object({ seq: z.number().int(), hash: z.string().nullable() }),
  /** Where retention cut the chain (entries 1..seq removed; hash = that entry's hash), or null. */
  retention_cut: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  /** Issue #9: the Merkle tree, checkpoints, cuts, attestations and guards (always the whole log). */
  log: LogVerificationSchema,
  /** Number of problems found (all of them; `problems` lists the first 50). */
  problem_count: z.number().int(),
  /** The first problems found, in seq order (at most 50). */
  problems: z.array(ChainProblemSchema),
});

export type ChainProblem = z.infer<typeof ChainProblemSchema>;
export type VerifyResult = z.infer<typeof VerifyResultSchema>;
export type LogVerification = z.infer<typeof LogVerificationSchema>;
