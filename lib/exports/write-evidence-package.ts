import crypto from "node:crypto";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ZipArchive } from "archiver";
import type { StoredEvent } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { F, listEvents, type EventCursor, type EventFilter } from "../audit/query-events";
import { verifyChain } from "../audit/verify-chain";
import type { SqlClient } from "../db/sql";
import { describeControl } from "../analytics/soc2-criteria";
import { evidenceFilter, FRAMEWORK_CONTROLS, SECTION_ACTIONS, SECTION_DESCRIPTIONS } from "./export-filter";
import { JobLostError } from "./export-jobs";
import type { EvidenceExportRequest, Section } from "./export-schemas";
import { loadLogSigner } from "../integrity/load-log-signer";
import { buildVerification, signManifest, verificationFiles } from "./build-verification";
import { jsonlLines } from "./format-entries";
import { MANIFEST_FILE, MANIFEST_SIG_FILE } from "./verification-format";
import type { ChunkStore } from "./store-chunks";

export interface WriteEvidenceOptions {
  sql: SqlClient;
  orgId: string;
  orgSlug: string;
  jobId: string;
  request: EvidenceExportRequest;
  store: ChunkStore;
  batchRows: number;
  batchDelayMs: number;
  signal: AbortSignal;
  now?: Date;
}

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
  entries?: number;
  description: string;
}

interface Stats {
  actions: Map<string, number>;
  repositories: Map<string, { name: string; events: number }>;
  scans: Map<string, { count: number; sum: number; min: number; max: number }>;
}

/** The canonical entry (content + seq + hashes): the verifiable form. */
const canonical = (e: StoredEvent) => e;

/**
 * Streams a SOC 2 / ISO 27001 / … evidence package into the ChunkStore as a ZIP: README.md,
 * events.jsonl (every event of the period and repositories), one file per included section,
 * compliance_reports.json, and manifest.json (sha256 of every other file, the request, the period,
 * the integrity check and chain head). Entries are read in keyset batches and appended one at a time.
 */
export async function writeEvidencePackage(opts: WriteEvidenceOptions): Promise<{ filesIncluded: number; manifest: Record<string, unknown>; treeSize: number }> {
  const base = evidenceFilter(opts.request);
  const verify = await verifyChain({ sql: opts.sql, orgId: opts.orgId, filter: base, now: opts.now });
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const done = pipeline(archive, opts.store.writable());
  const files: ManifestFile[] = [];
  const stats: Stats = { actions: new Map(), repositories: new Map(), scans: new Map() };
  /** seq of every entry in events.jsonl (every other events file is a subset): the multiproof's leaves. */
  const seqs: number[] = [];

  const addText = async (name: string, text: string, description: string) => {
    const buf = Buffer.from(text, "utf8");
    files.push({ name, sha256: crypto.createHash("sha256").update(buf).digest("hex"), bytes: buf.length, description });
    archive.append(buf, { name, date: opts.now });
  };

  const addEvents = async (name: string, filter: EventFilter, description: string, collect: boolean) => {
    const hash = crypto.createHash("sha256");
    const file: ManifestFile = { name, sha256: "", bytes: 0, entries: 0, description };
    const self = opts;
    async function* lines(): AsyncGenerator<Buffer> {
      let cursor: EventCursor | undefined;
      for (;;) {
        if (self.signal.aborted) throw new JobLostError(self.jobId);
        const events = await listEvents({ sql: self.sql, orgId: self.orgId, filter, limit: self.batchRows, after: cursor });
        if (events.length === 0) return;
        const last = events[events.length - 1]!;
        cursor = { timestamp: new Date(last.timestamp), seq: last.seq };
        if (collect) {
          for (const e of events) {
            note(stats, e);
            seqs.push(e.seq);
          }
        }
        const buf = Buffer.from(jsonlLines(events, canonical), "utf8");
        hash.update(buf);
        file.bytes += buf.length;
        file.entries! += events.length;
        self.store.noteRows(events.length);
        yield buf;
        if (events.length < self.batchRows) return;
        if (self.batchDelayMs) await sleep(self.batchDelayMs);
      }
    }
    const src = Readable.from(lines(), { objectMode: false });
    archive.append(src, { name, date: opts.now });
    await finished(src);
    file.sha256 = hash.digest("hex");
    files.push(file);
  };

  const sections = opts.request.include;
  const logKey = (await loadLogSigner()).vkey;
  await addText("README.md", readme(opts, sections, logKey), "This file: what each file is and how to verify the package.");
  await addEvents("events.jsonl", base, "Every audit event of the period and repositories, canonical form, one per line, newest first.", true);
  for (const s of sections) {
    if (s === "compliance_reports") continue;
    await addEvents(`${s}.jsonl`, { ...base, where: F.and(base.where, F.prefix("action", ...SECTION_ACTIONS[s])) }, SECTION_DESCRIPTIONS[s], false);
  }
  if (sections.includes("compliance_reports")) {
    await addText("compliance_reports.json", `${JSON.stringify(report(opts, stats, verify), null, 2)}\n`, SECTION_DESCRIPTIONS.compliance_reports);
  }
  // Read after every entry: the latest checkpoint covers them all.
  const material = await buildVerification({ sql: opts.sql, orgId: opts.orgId, seqs });
  for (const f of verificationFiles(material)) await addText(f.name, f.text, f.description);
  const manifest = {
    format: "audit-trail-evidence/1",
    export_id: opts.jobId,
    org: opts.orgSlug,
    generated_at: formatTimestamp(opts.now ?? new Date()),
    framework: opts.request.framework,
    request: opts.request,
    audit_period: {
      from: opts.request.audit_period.from,
      to: opts.request.audit_period.to,
      from_inclusive: base.from ? formatTimestamp(base.from) : null,
      to_exclusive: base.to ? formatTimestamp(base.to) : null,
    },
    repository_ids: opts.request.repository_ids,
    /** The framework's controls each section evidences, each with its name and one-line description (SOC 2). */
    controls: controlList(opts.request.framework),
    verification: verify,
    chain_head: verify.chain_head,
    log: material.log,
    files: files.map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.bytes, ...(f.entries !== undefined && { entries: f.entries }), description: f.description })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
  archive.append(manifestBytes, { name: MANIFEST_FILE, date: opts.now });
  const manifestSha = crypto.createHash("sha256").update(manifestBytes).digest("hex");
  archive.append(Buffer.from(signManifest(material, manifestSha), "utf8"), { name: MANIFEST_SIG_FILE, date: opts.now });
  await archive.finalize();
  await done;
  return { filesIncluded: files.length + 2, manifest, treeSize: material.log.tree_size };
}

function note(stats: Stats, e: StoredEvent) {
  stats.actions.set(e.action, (stats.actions.get(e.action) ?? 0) + 1);
  if (e.repository) {
    const r = stats.repositories.get(e.repository.id) ?? { name: e.repository.name, events: 0 };
    r.events++;
    stats.repositories.set(e.repository.id, r);
  }
  const score = e.details?.score;
  if (e.action === "scan.completed" && typeof score === "number") {
    const key = e.repository?.id ?? "(none)";
    const s = stats.scans.get(key) ?? { count: 0, sum: 0, min: score, max: score };
    s.count++;
    s.sum += score;
    s.min = Math.min(s.min, score);
    s.max = Math.max(s.max, score);
    stats.scans.set(key, s);
  }
}

/** The framework's controls (as FRAMEWORK_CONTROLS maps them to sections), with names and descriptions for SOC 2. */
function controlList(framework: string): { id: string; name: string; description: string; sections: string[] }[] {
  const bySection = FRAMEWORK_CONTROLS[framework] ?? {};
  const ids = [...new Set(Object.values(bySection).flat())];
  return ids.map((id) => {
    const named = framework === "soc2" ? describeControl(id, false) : id;
    const full = framework === "soc2" ? describeControl(id) : id;
    return {
      id,
      name: named === id ? "" : named.slice(id.length + 1),
      description: full === named ? "" : full.slice(named.length + 3),
      sections: Object.entries(bySection).filter(([, v]) => v?.includes(id)).map(([k]) => k),
    };
  });
}

function report(opts: WriteEvidenceOptions, stats: Stats, verify: Awaited<ReturnType<typeof verifyChain>>) {
  const sectionCounts = Object.fromEntries(
    (Object.keys(SECTION_ACTIONS) as Exclude<Section, "compliance_reports">[]).map((s) => [
      s,
      [...stats.actions].filter(([a]) => SECTION_ACTIONS[s].some((p) => a.startsWith(p))).reduce((n, [, c]) => n + c, 0),
    ]),
  );
  return {
    framework: opts.request.framework,
    audit_period: opts.request.audit_period,
    controls: FRAMEWORK_CONTROLS[opts.request.framework] ?? {},
    /** Each control id above with its name and one-line description (SOC 2; other frameworks: ids only). */
    control_descriptions: Object.fromEntries(controlList(opts.request.framework).map((c) => [c.id, c.description ? `${c.name} — ${c.description}` : c.id])),
    events_total: [...stats.actions.values()].reduce((a, b) => a + b, 0),
    events_by_section: sectionCounts,
    events_by_action: Object.fromEntries([...stats.actions].sort()),
    repositories: Object.fromEntries([...stats.repositories].sort()),
    scan_scores: Object.fromEntries(
      [...stats.scans].sort().map(([k, s]) => [k, { scans: s.count, average: Math.round((s.sum / s.count) * 10) / 10, min: s.min, max: s.max }]),
    ),
    integrity: { verified: verify.verified, logs_checked: verify.logs_checked, verification_hash: verify.verification_hash, chain_head: verify.chain_head },
  };
}

function readme(opts: WriteEvidenceOptions, sections: Section[], logKey: string): string {
  const r = opts.request;
  const lines = [
    `# Evidence package ${opts.jobId}`,
    "",
    `Framework: ${r.framework}. Audit period: ${r.audit_period.from} to ${r.audit_period.to} (UTC; a plain-date end covers that whole day).`,
    `Organisation: ${opts.orgSlug}. Repositories: ${r.repository_ids.length ? r.repository_ids.join(", ") : "all"}.`,
    `Generated by Audit Trail at ${formatTimestamp(opts.now ?? new Date())}.`,
    "",
    ...(controlList(r.framework).length
      ? ["## Controls covered", "", ...controlList(r.framework).map((c) => `- ${c.id}${c.name ? ` ${c.name}` : ""}${c.description ? `: ${c.description}` : ""} (${c.sections.join(", ")})`), ""]
      : []),
    "## Files",
    "- `manifest.json`: the request, the period, the integrity check (`verification`) and chain head, and the sha256 of every other file.",
    "- `events.jsonl`: every audit event of the period and repositories, one JSON object per line, in the canonical form (with `seq`, `hash`, `previous_hash`).",
    "- `manifest.sig`: the log key's signature (C2SP signed note) over the SHA-256 of `manifest.json`.",
    "- `verification/checkpoint.txt`, `verification/public-key.txt`, `verification/proof.json`, `verification/consistency.json`: the signed checkpoint, the log's key, the Merkle proof of the entries, consistency proofs from earlier checkpoints.",
    ...sections.map((s) => `- \`${s}${s === "compliance_reports" ? ".json" : ".jsonl"}\`: ${SECTION_DESCRIPTIONS[s]}`),
    "",
    "## How to verify (offline, in one command)",
    "",
    "The package proves itself: `verification/checkpoint.txt` is the log's signed checkpoint (a signed statement of the",
    "Merkle tree over every entry of the organisation's log), `verification/proof.json` links the entries in this package to",
    "it, and `manifest.sig` signs `manifest.json`, which holds the SHA-256 of every other file.",
    "",
    "1. Install the verifier (Node.js 20 or newer): a copy of Audit Trail's source, then `npm install` in it.",
    "2. Obtain the log's public key from the operator through a channel you trust (`GET /api/v1/audit/public-key`, or the",
    `   /integrity page of the dashboard). The key this package was signed with is \`${logKey}\`.`,
    "3. Run, in the Audit Trail directory:",
    "",
    "   ```sh",
    `   npx audit-trail verify /path/to/this-package.zip --key '${logKey}'`,
    "   ```",
    "",
    "   Add `--checkpoint <file>` with a checkpoint you saved earlier (the /integrity page's download button, or",
    "   `verification/checkpoint.txt` of an earlier package) to check that the log was only appended to since then, and",
    "   `--witness-key <key>` to require a witness's cosignature.",
    "4. `RESULT: VERIFIED` and exit status 0 mean: every file is unchanged, every entry's hash recomputes, consecutive entries",
    "   link, and every entry is in the log at the signed checkpoint. Anything else exits non-zero and names the file, line and",
    "   seq at fault. Without `--key` the verifier uses the key inside the package and says so: pin the key.",
    "",
    "## By hand",
    "1. File integrity: `sha256sum <file>` must equal that file's `sha256` in `manifest.json`.",
    "2. Each entry: remove `hash` and `previous_hash`, serialise the rest with RFC 8785 (JSON Canonicalization Scheme),",
    "   and compute `\"sha256:\" + hex(SHA-256(previous_hash + canonical))` (an empty string for `previous_hash` when `seq` is 1).",
    "   The result must equal `hash`. Each entry's `previous_hash` is the `hash` of the entry with `seq - 1` in the org's chain.",
    "3. Merkle tree (RFC 9162): the leaf of an entry is SHA-256(0x00 ‖ canonical), at index `seq - 1`; with the nodes of",
    "   `verification/proof.json` the leaves give the root in `verification/checkpoint.txt` (docs/integrity.md of Audit Trail).",
    "4. `manifest.json` → `verification` is the service's own check of this period when the package was made.",
    "",
    "The JSONL files are the verifiable form. CSV exports (from the log export API) are for spreadsheets: cells that start",
    "with = + - @ tab or CR get a leading ' (formula-injection neutralisation), so they are not byte-for-byte the stored values.",
    "",
  ];
  return lines.join("\n");
}
