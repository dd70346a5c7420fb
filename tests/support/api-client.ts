import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resetConfigForTests } from "@/lib/config";
import { closeDatabaseForTests, getDatabase } from "@/lib/db/get-database";
import { createScratchPostgres, TEST_DB } from "./test-database";

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;

export const ROOT_TOKEN = "root_test_token_0123456789";

/**
 * Points the app's process-wide database at a fresh scratch database of the suite's kind, so
 * route handlers can be called directly (no server), exactly as Next.js calls them.
 */
export async function useScratchApp(): Promise<{ close(): Promise<void> }> {
  await closeDatabaseForTests();
  let dropPg: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (TEST_DB === "postgres") {
    const pg = await createScratchPostgres();
    process.env.DATABASE_URL = pg.url;
    dropPg = pg.drop;
  } else {
    delete process.env.DATABASE_URL;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-api-"));
    process.env.AUDIT_DATA_DIR = dir;
  }
  process.env.AUDIT_ROOT_TOKEN = ROOT_TOKEN;
  resetConfigForTests();
  await getDatabase();
  return {
    async close() {
      await closeDatabaseForTests();
      if (dropPg) await dropPg();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      delete process.env.DATABASE_URL;
      resetConfigForTests();
    },
  };
}

export interface CallOptions {
  token?: string;
  authorization?: string;
  body?: unknown;
  rawBody?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

export async function call(handler: Handler, method: string, url: string, opts: CallOptions = {}) {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  if (opts.authorization) headers.set("authorization", opts.authorization);
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers.set("content-type", "application/json");
  }
  const req = new Request(new URL(url, "http://localhost"), { method, headers, body });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test convenience: bodies are asserted field by field
  return { status: res.status, headers: res.headers, body: json as any };
}
