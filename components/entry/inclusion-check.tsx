"use client";

import { ShieldAlert, ShieldCheck } from "lucide-react";
import Link from "next/link";
import type { StoredEvent } from "@/lib/audit/event-schema";
import { useEntryProof } from "@/lib/client/use-integrity";
import { toHex } from "@/lib/integrity/encoding";
import { CopyButton } from "./copy-button";

/**
 * The entry's Merkle inclusion proof, checked in the browser with WebCrypto against the log's
 * signed checkpoint (lib/client/use-integrity.ts): ✓ or ✗ with what was checked.
 */
export function InclusionCheck({ event }: { event: StoredEvent }) {
  const q = useEntryProof(event);
  return (
    <section aria-labelledby="inclusion-h" className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <h2 id="inclusion-h" className="font-semibold">In the signed log</h2>
      {q.isPending && (
        <p role="status" className="mt-2 text-sm text-slate-600 dark:text-slate-300">
          Checking the inclusion proof in your browser…
        </p>
      )}
      {q.isError && (
        <p role="alert" data-testid="inclusion-result" data-ok="false" className="mt-2 flex items-start gap-1 text-sm text-rose-800 dark:text-rose-300">
          <ShieldAlert className="h-4 w-4 shrink-0" aria-hidden /> ✗ The proof could not be fetched: {q.error.message}
        </p>
      )}
      {q.data && (
        <>
          <p
            role="status"
            data-testid="inclusion-result"
            data-ok={q.data.ok ? "true" : "false"}
            className={`mt-2 flex items-start gap-1 text-sm font-medium ${q.data.ok ? "text-emerald-800 dark:text-emerald-300" : "text-rose-800 dark:text-rose-300"}`}
          >
            {q.data.ok ? <ShieldCheck className="h-4 w-4 shrink-0" aria-hidden /> : <ShieldAlert className="h-4 w-4 shrink-0" aria-hidden />}
            {q.data.ok ? "✓ Verified in your browser" : `✗ Does NOT verify: ${q.data.error ?? "unknown reason"}`}
          </p>
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">
            WebCrypto (SHA-256, Ed25519) checked that this entry&apos;s canonical content hashes to leaf {q.data.proof.leaf_index}, that its
            inclusion proof ({q.data.proof.hashes.length} hashes) leads to the root of the signed checkpoint, and that the log key signed that checkpoint.
          </p>
          <dl className="mt-2 space-y-1 text-xs">
            <div><dt className="text-slate-500 dark:text-slate-400">tree size</dt><dd className="font-mono" data-testid="inclusion-tree-size">{q.data.proof.tree_size}</dd></div>
            <div><dt className="text-slate-500 dark:text-slate-400">leaf index</dt><dd className="font-mono">{q.data.proof.leaf_index} (seq {event.seq})</dd></div>
            {q.data.checkpoint && (
              <>
                <div><dt className="text-slate-500 dark:text-slate-400">log (origin)</dt><dd className="break-all font-mono">{q.data.checkpoint.origin}</dd></div>
                <div>
                  <dt className="text-slate-500 dark:text-slate-400">root hash</dt>
                  <dd className="flex items-start gap-1 break-all font-mono">{toHex(q.data.checkpoint.rootHash)}<CopyButton value={toHex(q.data.checkpoint.rootHash)} label="root hash" /></dd>
                </div>
              </>
            )}
            <div>
              <dt className="text-slate-500 dark:text-slate-400">checkpoint signed by</dt>
              <dd className="font-mono">
                {q.data.signatures.filter((s) => s.verified).map((s) => `${s.name}+${s.keyId}${s.kind === "cosignature" ? " (witness)" : ""}`).join(", ") || "— no valid signature"}
              </dd>
            </div>
            <div>
              <dt className="text-slate-500 dark:text-slate-400">log key (as this service presents it)</dt>
              <dd className="flex items-start gap-1 break-all font-mono">{q.data.publicKey.trim()}<CopyButton value={q.data.publicKey.trim()} label="log key" /></dd>
            </div>
          </dl>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-300">
            The key comes from this service: compare it with the one your operator published. <Link className="text-indigo-700 underline dark:text-indigo-300" href="/integrity">Integrity</Link> has the latest checkpoint to keep.
          </p>
        </>
      )}
    </section>
  );
}
