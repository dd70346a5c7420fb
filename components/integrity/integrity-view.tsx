"use client";

import { useQueryClient } from "@tanstack/react-query";
import { ShieldAlert, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { CopyButton } from "@/components/entry/copy-button";
import { Time } from "@/components/time";
import { useVerify } from "@/lib/client/use-explorer";
import { useLatestCheckpoint, usePastVerifications, VERIFY_EVENT_ACTION } from "@/lib/client/use-integrity";
import { queryKeys } from "@/lib/client/query-keys";

const field = "mt-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

/** Recompute the org's hash chain (whole or a date range) and show exactly what was checked. */
export function IntegrityView() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const verify = useVerify();
  const qc = useQueryClient();
  const r = verify.data;
  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold tracking-tight">Integrity</h1>
      <section aria-labelledby="what-h" className="mt-2 space-y-2 text-sm text-slate-700 dark:text-slate-300">
        <h2 id="what-h" className="sr-only">What is checked</h2>
        <p>
          <strong>The hash chain.</strong> Every entry&apos;s <code>hash</code> is SHA-256 over the previous entry&apos;s hash and the entry&apos;s
          canonical JSON, and every <code>previous_hash</code> must equal the hash of the entry before it. Verifying recomputes both for every
          entry in range, in the database, and reports each mismatch, gap and broken link.
        </p>
        <p>
          <strong>The Merkle tree and its signed checkpoints.</strong> Every entry is also a leaf of one Merkle tree (RFC 9162) per organisation.
          After each write the service signs a <em>checkpoint</em>: the tree&apos;s size and root hash, signed with the log key, which is not kept
          in the database. A checkpoint you keep lets you prove later that the log was only ever appended to: nothing before it was changed,
          removed or reordered, even by someone with full access to the database. Verifying compares the tree with every stored checkpoint.
        </p>
        <p>
          <strong>Evidence you can check without us.</strong> Evidence packages and JSONL exports carry the checkpoint, the log key and the
          proofs; <code>npx audit-trail verify &lt;file&gt;</code> checks them offline. Each entry&apos;s page checks its own inclusion proof in your browser.
          The recipe, the threat model and the commands: <Link className="text-indigo-700 underline dark:text-indigo-300" href="/docs/integrity">integrity documentation</Link>{" "}
          (and <Link className="text-indigo-700 underline dark:text-indigo-300" href="/docs/exports">exports and the offline verifier</Link>).
        </p>
      </section>
      <LatestCheckpoint />
      <h2 className="mt-8 text-lg font-semibold">Verify now</h2>
      <form
        className="mt-2 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          verify.mutate({ ...(from && { from }), ...(to && { to }) }, { onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.integrity.all }) });
        }}
      >
        <label className="flex flex-col text-xs">
          From (UTC date, optional)
          <input type="date" className={field} value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="flex flex-col text-xs">
          To (UTC date, inclusive, optional)
          <input type="date" className={field} value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit" disabled={verify.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
          {verify.isPending ? "Verifying…" : from || to ? "Verify this range" : "Verify the whole chain"}
        </button>
      </form>
      {verify.isError && (
        <p role="alert" className="mt-4 rounded-md bg-rose-50 p-3 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-100">
          Verification could not run: {verify.error.message}
        </p>
      )}
      {r && (
        <section aria-labelledby="result-h" className="mt-6 rounded-md border border-slate-200 p-4 dark:border-slate-800" data-testid="integrity-result">
          <h2 id="result-h" className={`flex items-center gap-2 text-lg font-semibold ${r.chain_valid ? "text-emerald-800 dark:text-emerald-300" : "text-rose-800 dark:text-rose-300"}`}>
            {r.chain_valid ? <ShieldCheck className="h-5 w-5" aria-hidden /> : <ShieldAlert className="h-5 w-5" aria-hidden />}
            {r.chain_valid ? "The chain verifies" : "The chain does NOT verify"}
          </h2>
          <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
            {[
              ["Entries checked", r.logs_checked.toLocaleString("en-US")],
              ["Seq range", r.first_seq === null ? "—" : `${r.first_seq} – ${r.last_seq}`],
              ["Chain head", `seq ${r.chain_head.seq}`],
              ["Hash mismatches", String(r.hash_mismatches)],
              ["Gaps", String(r.gaps_detected)],
              ["Broken links", String(r.broken_links)],
            ].map(([k, v]) => (
              <div key={k}>
                <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
                <dd className="font-medium tabular-nums">{v}</dd>
              </div>
            ))}
          </dl>
          <TreeResult log={(r as { log?: TreeLog }).log} />
          <p className="mt-3 text-sm">
            Verified <Time value={r.verified_at} />. Verification hash (SHA-256 over the checked hashes, in seq order — two parties checking the same range get the same value):
          </p>
          <p className="mt-1 flex items-start gap-1 break-all font-mono text-xs">
            {r.verification_hash}
            <CopyButton value={r.verification_hash} label="verification hash" />
          </p>
          {r.problems.length > 0 && (
            <div className="relative mt-4 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="text-left font-medium">First problems (at most 20)</caption>
              <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                <tr><th className="py-1 pr-3">seq</th><th className="py-1 pr-3">entry</th><th className="py-1 pr-3">problem</th><th className="py-1">detail</th></tr>
              </thead>
              <tbody>
                {r.problems.map((p) => (
                  <tr key={`${p.seq}-${p.problem}`} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="py-1 pr-3 tabular-nums">{p.seq}</td>
                    <td className="py-1 pr-3">{p.id ? <Link className="text-indigo-700 underline dark:text-indigo-300" href={`/logs/${encodeURIComponent(p.id)}`}>{p.id}</Link> : "—"}</td>
                    <td className="py-1 pr-3">{p.problem.replace("_", " ")}</td>
                    <td className="py-1">{p.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
        </section>
      )}
      <PastVerifications />
    </div>
  );
}

/** The Merkle part of a verification result (POST /api/v1/audit/verify → data.log). */
interface TreeLog {
  origin: string;
  tree_size: number;
  root_hash: string | null;
  checkpoints: number;
  checkpoints_checked: number;
  checkpoints_invalid: number;
  root_mismatches: number;
  uncovered_entries: number;
  truncated_entries: number;
  head_rollback: boolean;
}

function TreeResult({ log }: { log?: TreeLog }) {
  if (!log) return null;
  const rows: Array<[string, string]> = [
    ["Merkle tree size", log.tree_size.toLocaleString("en-US")],
    ["Signed checkpoints compared", `${log.checkpoints_checked.toLocaleString("en-US")} of ${log.checkpoints.toLocaleString("en-US")}`],
    ["Invalid checkpoints", String(log.checkpoints_invalid)],
    ["Root mismatches", String(log.root_mismatches)],
    ["Entries no checkpoint covers", String(log.uncovered_entries)],
    ["Entries missing from the end", String(log.truncated_entries)],
  ];
  return (
    <>
      <h3 className="mt-4 text-sm font-semibold">Merkle tree and signed checkpoints (whole log)</h3>
      <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
            <dd className="font-medium tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-2 text-xs text-slate-600 dark:text-slate-300">
        The tree was recomputed from the stored entries and its root compared with every signed checkpoint of the same size
        {log.head_rollback ? "; the chain head was ROLLED BACK behind the latest checkpoint" : ""}. Root: <code className="break-all">{log.root_hash ?? "— (could not be recomputed)"}</code>
      </p>
    </>
  );
}

function LatestCheckpoint() {
  const q = useLatestCheckpoint();
  const cp = q.data?.checkpoint;
  const slug = cp ? cp.origin.split("/").pop() : "log";
  return (
    <section aria-labelledby="checkpoint-h" className="mt-6 rounded-md border border-slate-200 p-4 dark:border-slate-800" data-testid="latest-checkpoint">
      <h2 id="checkpoint-h" className="text-lg font-semibold">Latest checkpoint</h2>
      {q.isPending && <p role="status" className="mt-2 text-sm">Loading the latest checkpoint…</p>}
      {q.isError && <p role="alert" className="mt-2 text-sm text-rose-800 dark:text-rose-300">The checkpoint could not be loaded: {q.error.message}</p>}
      {q.data && (
        <>
          <p className={`mt-2 flex items-center gap-1 text-sm font-medium ${q.data.signatureValid ? "text-emerald-800 dark:text-emerald-300" : "text-rose-800 dark:text-rose-300"}`} role="status">
            {q.data.signatureValid ? <ShieldCheck className="h-4 w-4" aria-hidden /> : <ShieldAlert className="h-4 w-4" aria-hidden />}
            {q.data.signatureValid ? "✓ Signature by the log key verified in your browser" : `✗ ${q.data.error ?? "the signature does not verify"}`}
          </p>
          {cp && (
            <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
              <div><dt className="text-slate-500 dark:text-slate-400">Log (origin)</dt><dd className="break-all font-mono text-xs">{cp.origin}</dd></div>
              <div><dt className="text-slate-500 dark:text-slate-400">Tree size (entries)</dt><dd className="font-medium tabular-nums" data-testid="checkpoint-size">{cp.size.toLocaleString("en-US")}</dd></div>
              <div className="sm:col-span-2"><dt className="text-slate-500 dark:text-slate-400">Root hash</dt><dd className="flex items-start gap-1 break-all font-mono text-xs">{q.data.rootHex}<CopyButton value={q.data.rootHex ?? ""} label="root hash" /></dd></div>
              <div className="sm:col-span-2">
                <dt className="text-slate-500 dark:text-slate-400">Signatures</dt>
                <dd className="font-mono text-xs [overflow-wrap:anywhere]">
                  {q.data.signatures.map((s) => `${s.name}+${s.keyId} ${s.verified ? "(log key, verified)" : s.kind === "unknown" ? "(witness cosignature, key not known here)" : "(does not verify)"}`).join("; ")}
                </dd>
              </div>
              <div className="sm:col-span-2"><dt className="text-slate-500 dark:text-slate-400">Log key</dt><dd className="flex items-start gap-1 break-all font-mono text-xs">{q.data.publicKey}<CopyButton value={q.data.publicKey} label="log key" /></dd></div>
            </dl>
          )}
          <pre className="relative mt-3 overflow-x-auto rounded-md bg-slate-50 p-3 font-mono text-xs dark:bg-slate-900" aria-label="Checkpoint note">{q.data.note}</pre>
          <div className="mt-3 flex flex-wrap gap-3">
            {cp && (
              <a
                className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700"
                href={`/api/v1/audit/checkpoint?size=${cp.size}`}
                download={`checkpoint-${slug}-${cp.size}.txt`}
                data-testid="download-checkpoint"
              >
                Download this checkpoint
              </a>
            )}
            <a className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800" href="/api/v1/audit/public-key" download="log-key.txt">
              Download the log key
            </a>
          </div>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-300">
            Keep the checkpoint: later, <code>npx audit-trail verify &lt;package&gt; --checkpoint {`checkpoint-${slug}-${cp?.size ?? "N"}.txt`}</code> proves that
            the log you are shown then extends this one.
          </p>
        </>
      )}
    </section>
  );
}

function PastVerifications() {
  const q = usePastVerifications();
  return (
    <section aria-labelledby="past-h" className="mt-8">
      <h2 id="past-h" className="text-lg font-semibold">Past verifications</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Each verification is itself an entry of this audit log (action <code>{VERIFY_EVENT_ACTION}</code>).</p>
      {q.isPending && <p role="status" className="mt-2 text-sm">Loading…</p>}
      {q.isError && <p role="alert" className="mt-2 text-sm text-rose-800 dark:text-rose-300">{q.error.message}</p>}
      {q.data && q.data.length === 0 && <p className="mt-2 text-sm">No verification has been run yet.</p>}
      {q.data && q.data.length > 0 && (
        <div className="relative mt-2 overflow-x-auto">
        <table className="w-full min-w-[36rem] text-left text-sm" data-testid="past-verifications">
          <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
            <tr><th className="py-1 pr-3">when</th><th className="py-1 pr-3">by</th><th className="py-1 pr-3">result</th><th className="py-1 pr-3">entries</th><th className="py-1 pr-3">tree size</th><th className="py-1">entry</th></tr>
          </thead>
          <tbody>
            {q.data.map((e) => {
              const d = (e.details ?? {}) as Record<string, unknown>;
              const verified = d.verified;
              const size = typeof d.tree_size === "number" ? d.tree_size : null;
              return (
                <tr key={e.id} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1 pr-3"><Time value={e.timestamp} /></td>
                  <td className="py-1 pr-3">{e.actor.email ?? e.actor.name ?? e.actor.id}</td>
                  <td className="py-1 pr-3">{verified === true ? "✓ verified" : verified === false ? "✗ problems found" : "—"}</td>
                  <td className="py-1 pr-3 tabular-nums">{typeof d.logs_checked === "number" ? d.logs_checked.toLocaleString("en-US") : "—"}</td>
                  <td className="py-1 pr-3 tabular-nums">{size === null ? "—" : size.toLocaleString("en-US")}</td>
                  <td className="py-1"><Link className="text-indigo-700 underline dark:text-indigo-300" href={`/logs/${encodeURIComponent(e.id)}`}>#{e.seq}</Link></td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
