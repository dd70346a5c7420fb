"use client";

import { useQuery } from "@tanstack/react-query";
import { canonicalJson } from "@/lib/audit/jcs";
import type { StoredEvent } from "@/lib/audit/event-schema";
import { toHex } from "@/lib/integrity/encoding";
import { verifyEntryProofAsync, verifyCheckpointAsync, type CheckpointCheck, type EntryProofCheck } from "@/lib/integrity/web-verify";
import { ApiError, apiFetch } from "./api-fetch";
import { queryKeys } from "./query-keys";

/** GET /api/v1/audit/logs/{id}/proof (hex hashes). */
export interface InclusionProof {
  leaf_index: number;
  tree_size: number;
  leaf_hash: string;
  hashes: string[];
}

const unwrap = <T>(body: T | { success: true; data: T }): T =>
  body && typeof body === "object" && "success" in body && "data" in body ? (body as { data: T }).data : (body as T);

/** A text/plain API answer (the checkpoint note, the public key); errors as ApiError. */
export async function fetchText(path: string): Promise<string> {
  const res = await fetch(path, { credentials: "same-origin", headers: { Accept: "text/plain" } });
  const text = await res.text();
  if (!res.ok) {
    let message = `request failed with status ${res.status}`;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      /* not JSON: keep the status message */
    }
    throw new ApiError(res.status, "http_error", message);
  }
  return text;
}

export interface EntryProofResult extends EntryProofCheck {
  proof: InclusionProof;
  publicKey: string;
  checkpointNote: string;
}

/**
 * The entry page's check, in the browser: the entry's inclusion proof, the signed checkpoint of the
 * proof's tree size and the log's public key are fetched, and WebCrypto (SHA-256, Ed25519) checks
 * that the entry's canonical content hashes to its leaf, that the proof leads to the checkpoint's
 * root and that the log key signed the checkpoint (lib/integrity/web-verify.ts).
 */
export function useEntryProof(event: StoredEvent | undefined) {
  return useQuery({
    queryKey: [...queryKeys.integrity.entryProof(event?.id ?? ""), event?.hash],
    enabled: Boolean(event),
    staleTime: 60_000,
    queryFn: async ({ signal }): Promise<EntryProofResult> => {
      const e = event!;
      const proof = unwrap(await apiFetch<InclusionProof | { success: true; data: InclusionProof }>(`/api/v1/audit/logs/${encodeURIComponent(e.id)}/proof`, { signal }));
      const [checkpointNote, publicKey] = await Promise.all([fetchText(`/api/v1/audit/checkpoint?size=${proof.tree_size}`), fetchText("/api/v1/audit/public-key")]);
      const { hash: _h, previous_hash: _p, ...content } = e;
      const check = await verifyEntryProofAsync({
        checkpointNote,
        vkey: publicKey.trim(),
        canonicalContent: canonicalJson(content),
        leafHash: proof.leaf_hash,
        leafIndex: proof.leaf_index,
        treeSize: proof.tree_size,
        proof: proof.hashes,
      });
      if (proof.leaf_index !== e.seq - 1 && check.ok) return { ...check, ok: false, error: `the proof is for leaf ${proof.leaf_index}, this entry is leaf ${e.seq - 1}`, proof, publicKey, checkpointNote };
      return { ...check, proof, publicKey, checkpointNote };
    },
  });
}

export interface LatestCheckpoint extends CheckpointCheck {
  note: string;
  publicKey: string;
  rootHex: string | null;
}

/** The latest signed checkpoint and the log key, the signature checked in the browser. */
export function useLatestCheckpoint() {
  return useQuery({
    queryKey: queryKeys.integrity.checkpoint,
    queryFn: async (): Promise<LatestCheckpoint> => {
      const [note, publicKey] = await Promise.all([fetchText("/api/v1/audit/checkpoint"), fetchText("/api/v1/audit/public-key")]);
      const check = await verifyCheckpointAsync({ note, vkey: publicKey.trim() });
      return { ...check, note, publicKey: publicKey.trim(), rootHex: check.checkpoint ? toHex(check.checkpoint.rootHash) : null };
    },
  });
}

/** The audit action of a verification run (POST /api/v1/audit/verify records one per run: lib/audit/verify-and-record.ts). */
export const VERIFY_EVENT_ACTION = "integrity.verified";

/** Past verifications: the org's own audit events of that action, newest first. */
export function usePastVerifications(limit = 20) {
  return useQuery({
    queryKey: [...queryKeys.integrity.verifications, limit],
    queryFn: ({ signal }) =>
      apiFetch<{ data: StoredEvent[] }>("/api/v1/audit/explorer/events", { query: { action: VERIFY_EVENT_ACTION, limit, total: "0" }, signal }).then((r) => r.data),
  });
}
