/**
 * OpenAPI registrations of the verifiable-log routes (issue #9). Imported from lib/openapi/routes/index.ts.
 */
import { z } from "zod";
import { registerRoute } from "../openapi/registry";
import { CheckpointQuery, ConsistencyProofAnswer, ConsistencyQuery, CosignatureAnswer, CosignatureBody, InclusionProofAnswer, ProofQuery } from "./integrity-schemas";

const tags = ["Integrity"];
const security: ("bearer" | "basic" | "session")[] = ["bearer", "basic", "session"];
const textPlain = { "text/plain": { schema: { type: "string" } } };

registerRoute({
  method: "get",
  path: "/api/v1/audit/checkpoint",
  operationId: "getCheckpoint",
  summary: "The org's signed checkpoint",
  description:
    "The latest (or `size`) checkpoint of the org's Merkle tree: a C2SP tlog-checkpoint (origin `<AUDIT_LOG_ORIGIN>/<org slug>`, tree size, base64 root) " +
    "in a C2SP signed note signed with the log key (Ed25519), followed by any witness cosignatures (cosignature/v1). One is signed in every ingest transaction.",
  tags,
  scope: "audit:read",
  security,
  query: CheckpointQuery,
  responses: { 200: { description: "The signed note.", content: textPlain } },
  errors: [404],
});
registerRoute({
  method: "get",
  path: "/api/v1/audit/public-key",
  operationId: "getLogPublicKey",
  summary: "The log's verifier key",
  description: "C2SP signed-note verifier key `<name>+<keyid>+<base64(0x01 ‖ Ed25519 public key)>`, one line. Compare it with the one the operator published.",
  tags,
  scope: "audit:read",
  security,
  responses: { 200: { description: "The verifier key.", content: textPlain } },
});
registerRoute({
  method: "get",
  path: "/api/v1/audit/logs/{id}/proof",
  operationId: "getInclusionProof",
  summary: "Inclusion proof of one entry",
  description: "RFC 9162 §2.1.3 inclusion proof of the entry (leaf index = seq − 1) in the org's tree of `tree_size` (default: the latest checkpoint's). Hashes are lowercase hex.",
  tags,
  scope: "audit:read",
  security,
  params: z.object({ id: z.string() }),
  query: ProofQuery,
  responses: { 200: { description: "The proof.", schema: InclusionProofAnswer } },
  errors: [404, 410],
});
registerRoute({
  method: "get",
  path: "/api/v1/audit/consistency",
  operationId: "getConsistencyProof",
  summary: "Consistency proof between two tree sizes",
  description: "RFC 9162 §2.1.4 proof that the org's tree of size `second` extends the one of size `first` (1 ≤ first ≤ second ≤ the latest checkpoint's size; 400 naming the parameter otherwise).",
  tags,
  scope: "audit:read",
  security,
  query: ConsistencyQuery,
  responses: { 200: { description: "The proof.", schema: ConsistencyProofAnswer } },
  errors: [404, 410],
});
registerRoute({
  method: "post",
  path: "/api/v1/audit/checkpoint/cosignatures",
  operationId: "addCheckpointCosignatures",
  summary: "Add witness cosignatures to a checkpoint",
  description:
    "Either `{tree_size?, cosignature}` (one cosignature/v1 line, default the latest checkpoint) or `{note}` (the checkpoint note with witness lines). " +
    "Every line must come from a key in AUDIT_WITNESS_KEYS and verify over the stored checkpoint of that size; otherwise 400 naming the field and nothing is stored. Audited as `checkpoint.cosigned`.",
  tags,
  scope: "admin",
  security,
  body: CosignatureBody,
  responses: { 201: { description: "Added.", schema: CosignatureAnswer }, 200: { description: "All were present already.", schema: CosignatureAnswer } },
});
