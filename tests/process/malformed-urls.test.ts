import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAppServer, type AppServer } from "../support/app-server";
import { createScratchPostgres, sampleEvent } from "../support/test-database";

/**
 * Issue 10, defect 2 against the real server: a path that is not valid percent-encoded UTF-8
 * (`/audit-logs/%FF`) used to get Next.js's plain-text 500 before any route ran; proxy.ts now
 * answers it (JSON 400 naming `path` on the API, a plain 400 on pages). Paths and bodies are sent
 * byte for byte (node:http), as an attacker would.
 */
const ROOT = "root_malformed_test_0123456789";
let server: AppServer;
let drop: () => Promise<void>;
let token: string;

function raw(method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; type: string; text: string; headers: http.IncomingHttpHeaders }> {
  const url = new URL(server.base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers: { ...(token && { authorization: `Bearer ${token}` }), ...opts.headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  const pg = await createScratchPostgres();
  drop = pg.drop;
  server = await startAppServer({ DATABASE_URL: pg.url, AUDIT_ROOT_TOKEN: ROOT });
  expect((await api(server.base, "POST", "/api/v1/admin/orgs", ROOT, { slug: "malformed" })).status).toBe(201);
  const t = await api(server.base, "POST", "/api/v1/admin/tokens", ROOT, { org: "malformed", name: "rw", scopes: ["audit:read", "audit:write"] });
  token = t.body!.token as string;
  expect((await api(server.base, "POST", "/api/v1/audit/logs", token, sampleEvent(1))).status).toBe(201);
});
afterAll(async () => {
  await server?.kill9();
  await drop?.();
});

describe("malformed URLs against the production server", () => {
  it("API paths that are not valid percent-encoded UTF-8 answer JSON 400 naming path, never a plain-text 500", async () => {
    for (const p of ["/audit-logs/%FF", "/audit-logs/%E0%A4%A", "/api/v1/audit/logs/%FF", "/api/v1/audit/logs/%", "/api/v1/audit/explorer/entries/%C0%AF", "/api/v1/exports/%ED%A0%80/download", "/v1/audit_logs/%FF"]) {
      const r = await raw("GET", p);
      expect(r.status, p).toBe(400);
      expect(r.type, p).toMatch(/^application\/json/);
      expect(JSON.parse(r.text), p).toMatchObject({ success: false, error: { code: "invalid_parameter", field: "path" } });
    }
    const page = await raw("GET", "/logs/%FF");
    expect(page.status).toBe(400);
    expect(page.headers["content-security-policy"]).toBeDefined();
  });

  it("valid escapes still route; NUL in a path or query is a 400 naming it; a body that is not JSON is a 415", async () => {
    const ok = await raw("GET", "/api/v1/audit/logs/ev%2D1");
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).data.id).toBe("ev-1");
    expect(ok.headers["content-security-policy"]).toBeUndefined();
    const nul = await raw("GET", "/api/v1/audit/logs/ev-1%00");
    expect(nul.status).toBe(400);
    expect(JSON.parse(nul.text).error.field).toBe("id");
    const q = await raw("GET", "/api/v1/audit/logs?actor=%00");
    expect(q.status).toBe(400);
    expect(JSON.parse(q.text).error.field).toBe("actor");
    const replaced = await raw("GET", "/api/v1/audit/logs?actor=%FF");
    expect(replaced.status).toBe(200);
    const form = await raw("POST", "/api/v1/audit/logs", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: JSON.stringify(sampleEvent(2)) });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.text).error.field).toBe("content-type");
  });
});
