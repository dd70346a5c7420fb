"use client";

import { ShieldAlert, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { CopyButton } from "@/components/entry/copy-button";
import { Time } from "@/components/time";
import { useVerify } from "@/lib/client/use-explorer";

const field = "mt-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

/** Recompute the org's hash chain (whole or a date range) and show exactly what was checked. */
export function IntegrityView() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const verify = useVerify();
  const r = verify.data;
  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold tracking-tight">Integrity</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
        Every entry&apos;s <code>hash</code> is SHA-256 over the previous entry&apos;s hash and the entry&apos;s canonical JSON, and every
        <code> previous_hash</code> must equal the hash of the entry before it. Verifying recomputes both for every entry in range, in the
        database, and reports each mismatch, gap and broken link. The recipe is in docs/integrity.md, to check it yourself.
      </p>
      <form
        className="mt-5 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          verify.mutate({ ...(from && { from }), ...(to && { to }) });
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
          <p className="mt-3 text-sm">
            Verified <Time value={r.verified_at} />. Verification hash (SHA-256 over the checked hashes, in seq order — two parties checking the same range get the same value):
          </p>
          <p className="mt-1 flex items-start gap-1 break-all font-mono text-xs">
            {r.verification_hash}
            <CopyButton value={r.verification_hash} label="verification hash" />
          </p>
          {r.problems.length > 0 && (
            <table className="mt-4 w-full text-left text-sm">
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
          )}
        </section>
      )}
    </div>
  );
}
