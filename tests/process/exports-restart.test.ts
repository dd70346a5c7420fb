import { afterAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";
import { createScratchPostgres, sampleEvent } from "../support/test-database";
import { verifyExport } from "@/lib/verifier/verify-export";

const ROOT = "root_exports_process_0123456789";
const servers: AppServer[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill9().catch(() => undefined);
  for (const c of cleanups) await c().catch(() => undefined);
});

const N = 8000;

/** JSON call without gzip (Accept-Encoding: identity). */
async function api(base: string, method: string, p: string, token?: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { "accept-encoding": "identity", ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown> & { data?: unknown }) : null };
}

describe("export jobs across a server crash", () => {
  it("an export keeps going when its server is killed (-9) and another process starts: resumed, complete, no duplicates", async () => {
    const pg = await createScratchPostgres();
    cleanups.push(pg.drop);
    // Slow the export down (small batches, a pause between them) so the kill lands mid-way.
    const env = {
      DATABASE_URL: pg.url,
      AUDIT_ROOT_TOKEN: ROOT,
      AUDIT_EXPORT_BATCH_ROWS: "250",
      AUDIT_EXPORT_BATCH_DELAY_MS: "150",
      AUDIT_EXPORT_CHUNK_BYTES: "32768",
      AUDIT_EXPORT_HEARTBEAT_MS: "500",
      AUDIT_EXPORT_STALE_MS: "3000",
      AUDIT_EXPORT_POLL_MS: "300",
    };
    const a = await startAppServer(env);
    servers.push(a);
    expect((await api(a.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "exp-crash" })).status).toBe(201);
    const t = await api(a.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "exp-crash", name: "exporter", scopes: ["audit:read", "audit:write", "audit:export"] });
    const token = t.body!.token as string;
    for (let i = 0; i < N; i += 1000) {
      const events = Array.from({ length: 1000 }, (_, k) => sampleEvent(i + k));
      expect((await api(a.base, "POST", "/api/v1/audit/logs", token, { events })).status).toBe(201);
    }

    const created = await api(a.base, "POST", "/audit-logs/export", token, { format: "jsonl", resourceType: "policy" });
    expect(created.status).toBe(202);
    const id = created.body!.exportId as string;
    let rowsBeforeCrash = 0;
    for (let i = 0; i < 300 && rowsBeforeCrash === 0; i++) {
      const st = await api(a.base, "GET", `/audit-logs/export/${id}`, token);
      expect(st.body!.status).toBe("processing");
      rowsBeforeCrash = st.body!.rowCount as number;
      if (!rowsBeforeCrash) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rowsBeforeCrash).toBeGreaterThan(0);
    expect(rowsBeforeCrash).toBeLessThan(N);
    await a.kill9();

    const b = await startAppServer(env);
    servers.push(b);
    let st = await api(b.base, "GET", `/audit-logs/export/${id}`, token);
    for (let i = 0; i < 600 && st.body!.status !== "completed"; i++) {
      expect(st.body!.status).toBe("processing");
      await new Promise((r) => setTimeout(r, 100));
      st = await api(b.base, "GET", `/audit-logs/export/${id}`, token);
    }
    expect(st.body).toMatchObject({ status: "completed", rowCount: N, progress: 1 });
    expect(b.output()).toMatch(new RegExp(`${id}: resuming after row \\d+`));
    const jobs = await api(b.base, "GET", "/api/v1/exports", token);
    expect((jobs.body!.data as unknown as { id: string; attempts: number }[]).find((j) => j.id === id)?.attempts).toBe(2);

    // The signed link works without any credential, from the new process.
    const res = await fetch(st.body!.downloadUrl as string);
    expect(res.status).toBe(200);
    const text = await res.text();
    // The last line is the verification trailer (docs/exports.md); the resumed file is signed like any other.
    const ids = text.trimEnd().split("\n").slice(0, -1).map((l) => (JSON.parse(l) as { id: string }).id);
    const report = await verifyExport({ bytes: Buffer.from(text, "utf8"), fileName: "resumed.jsonl" });
    expect(report.problems).toEqual([]);
    expect(ids.length).toBe(N);
    expect(new Set(ids).size).toBe(N);
    expect(ids[0]).toBe(`ev-${N - 1}`);
    expect(ids[N - 1]).toBe("ev-0");
    await b.stop();
  });
});
