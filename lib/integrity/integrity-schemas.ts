import { z } from "zod";
import { intParam } from "../http/query-params";

/**
 * Request and response shapes of the verifiable-log API (issue #9): the routes parse with these and
 * lib/integrity/register-openapi.ts documents them.
 */
const MAX = Number.MAX_SAFE_INTEGER;
const hex = z.string().regex(/^[0-9a-f]{64}$/).describe("SHA-256 hash, lowercase hex.");

export const CheckpointQuery = z.object({
  size: intParam("size", 0, MAX).optional().describe("Tree size of a stored checkpoint; default the latest."),
});

export const ProofQuery = z.object({
  tree_size: intParam("tree_size", 1, MAX).optional().describe("Tree size to prove inclusion in (≤ the latest checkpoint's); default the latest checkpoint's."),
});

export const ConsistencyQuery = z.object({
  first: intParam("first", 1, MAX).describe("The smaller tree size (≥ 1)."),
  second: intParam("second", 1, MAX).describe("The larger tree size (≤ the latest checkpoint's)."),
});

export const InclusionProofAnswer = z.object({
  leaf_index: z.number().int().describe("seq − 1"),
  tree_size: z.number().int(),
  leaf_hash: hex.describe("SHA-256(0x00 ‖ UTF-8(content))"),
  hashes: z.array(hex).describe("RFC 9162 §2.1.3 inclusion proof, leaf to root."),
});

export const ConsistencyProofAnswer = z.object({
  first: z.number().int(),
  second: z.number().int(),
  hashes: z.array(hex).describe("RFC 9162 §2.1.4 consistency proof."),
});

export const CosignatureBody = z
  .object({
    tree_size: z.number().int().min(1).max(MAX).optional().describe("The checkpoint the cosignature line is for (default: the latest). Ignored with `note`."),
    cosignature: z.string().min(1).max(1024).optional().describe("One C2SP cosignature/v1 signature line: `— <witness name> <base64>`."),
    note: z.string().min(1).max(64 * 1024).optional().describe("The checkpoint as a signed note carrying witness cosignature lines (the log's own signature may be present)."),
  })
  .strict()
  .refine((b) => (b.cosignature === undefined) !== (b.note === undefined), { message: "give exactly one of cosignature and note", path: ["cosignature"] });
export type CosignatureBody = z.infer<typeof CosignatureBody>;

export const CosignatureAnswer = z.object({
  success: z.literal(true),
  data: z.object({
    tree_size: z.number().int(),
    added: z.array(z.object({ name: z.string(), key_id: z.string(), timestamp: z.string().describe("The cosignature's own time (UTC ISO 8601).") })),
    already_present: z.number().int().describe("Cosignatures sent again (no change)."),
  }),
});
