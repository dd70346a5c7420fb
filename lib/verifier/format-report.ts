import type { VerifyReport } from "./verify-export";

const MARK = { ok: "✓", fail: "✗", skip: "–" } as const;
/** Problems printed in the text summary; --json has them all. */
const MAX_PRINTED = 100;

const where = (p: VerifyReport["problems"][number]): string =>
  [p.file, p.line !== undefined ? `line ${p.line}` : "", p.seq !== undefined ? `seq ${p.seq}` : ""].filter(Boolean).join(", ");

/** The plain-text summary `audit-trail verify` prints. */
export function formatReport(r: VerifyReport): string {
  const out: string[] = [];
  out.push(`Audit Trail offline verifier — ${r.file} (${r.kind === "evidence-zip" ? "evidence package" : r.kind === "jsonl" ? "JSONL log export" : "unknown"})`, "");
  const width = Math.max(...r.checks.map((c) => c.name.length));
  for (const c of r.checks) out.push(`  ${MARK[c.status]} ${c.name.padEnd(width)}  ${c.detail}`);
  if (r.warnings.length) {
    out.push("");
    for (const w of r.warnings) out.push(`  !!! ${w}`);
  }
  out.push("");
  if (r.ok) {
    out.push(
      `RESULT: VERIFIED — ${r.entries.toLocaleString("en-US")} entries` +
        (r.checkpoint ? ` are in the log ${r.checkpoint.origin} at tree size ${r.checkpoint.size.toLocaleString("en-US")}` : "") +
        (r.keyPinned ? "" : " (with the package's own key: not pinned)"),
    );
  } else {
    out.push(`RESULT: FAILED — ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}:`);
    for (const p of r.problems.slice(0, MAX_PRINTED)) out.push(`  ✗ ${where(p)}: ${p.message}`);
    if (r.problems.length > MAX_PRINTED) out.push(`  … and ${r.problems.length - MAX_PRINTED} more (--json lists them all)`);
  }
  return `${out.join("\n")}\n`;
}
