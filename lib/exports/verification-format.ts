import { z } from "zod";

/**
 * The verifiable-export format (docs/exports.md, "Verifiable exports"): declared once here, written
 * by the exporters (write-evidence-package.ts, write-log-export.ts) and read by the offline
 * verifier (lib/verifier). Pure: no database, no node: imports beyond what zod needs.
 */

export const MULTIPROOF_FORMAT = "audit-trail-multiproof/v1";
export const CONSISTENCY_FORMAT = "audit-trail-consistency/v1";
export const JSONL_TRAILER_FORMAT = "audit-trail-jsonl/v1";
/** The single member of a JSONL export's last line. */
export const TRAILER_KEY = "audit_trail_verification";
/** The member of each JSONL export line that holds the stored (hashed) entry. */
export const CANONICAL_KEY = "canonical";

export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_SIG_FILE = "manifest.sig";
export const VERIFICATION_FILES = {
  checkpoint: "verification/checkpoint.txt",
  publicKey: "verification/public-key.txt",
  proof: "verification/proof.json",
  consistency: "verification/consistency.json",
} as const;

/** How many earlier sizes (per kind: earlier packages, witnessed checkpoints) get a consistency proof in a package. */
export const CONSISTENCY_SIZES_PER_KIND = 20;

/** The text `manifest.sig` signs. */
export const manifestStatement = (manifestSha256Hex: string): string => `audit-trail manifest v1\nsha256 ${manifestSha256Hex}\n`;

/** The text a JSONL export's trailer signature signs: the bytes of its entry lines and their count. */
export const jsonlStatement = (bodySha256Hex: string, lines: number): string => `audit-trail jsonl v1\nsha256 ${bodySha256Hex}\nlines ${lines}\n`;

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");
const size = z.number().int().nonnegative();

export const ProofNodeSchema = z.object({ start: size, end: size, hash: hex32 }).strict();
export const MultiProofSchema = z
  .object({ format: z.literal(MULTIPROOF_FORMAT), origin: z.string().min(1), tree_size: size, nodes: z.array(ProofNodeSchema) })
  .strict();
export type MultiProof = z.infer<typeof MultiProofSchema>;

/** One consistency proof, the shape of `GET /api/v1/audit/consistency` (hex hashes). */
export const ConsistencyProofSchema = z.object({ first: size, second: size, hashes: z.array(hex32) });
export type ConsistencyProof = z.infer<typeof ConsistencyProofSchema>;

export const ConsistencyBundleSchema = z
  .object({
    format: z.literal(CONSISTENCY_FORMAT),
    origin: z.string().min(1),
    tree_size: size,
    proofs: z.array(ConsistencyProofSchema),
    /** Earlier checkpoints that witnesses cosigned (signed notes with their cosignatures), each with a proof above. */
    witnessed: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type ConsistencyBundle = z.infer<typeof ConsistencyBundleSchema>;

export const LogInfoSchema = z.object({ origin: z.string().min(1), tree_size: size, root_hash: hex32 }).strict();
export type LogInfo = z.infer<typeof LogInfoSchema>;

export const TrailerSchema = z
  .object({
    format: z.literal(JSONL_TRAILER_FORMAT),
    lines: size,
    sha256: hex32,
    log: LogInfoSchema,
    checkpoint: z.string().min(1),
    public_key: z.string().min(1),
    proof: MultiProofSchema,
    consistency: ConsistencyBundleSchema,
    signature: z.string().min(1),
  })
  .strict();
export type Trailer = z.infer<typeof TrailerSchema>;

/** What the verifier reads of manifest.json (the rest is for people). */
export const ManifestSchema = z.object({
  files: z.array(z.object({ name: z.string().min(1), sha256: hex32, bytes: size, entries: size.optional() })),
  log: LogInfoSchema,
});

/** The verification material an exporter gathers once per file (build-verification.ts). */
export interface VerificationMaterial {
  log: LogInfo;
  checkpoint: string;
  publicKey: string;
  proof: MultiProof;
  consistency: ConsistencyBundle;
  /** Signs a statement (manifestStatement / jsonlStatement) with the log key: a signed note. */
  sign(statement: string): string;
}
