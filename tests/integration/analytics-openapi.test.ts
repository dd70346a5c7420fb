/**
 * The OpenAPI registrations of issue #6 (lib/analytics/register-openapi.ts) describe the real
 * answers: each route's answer is validated against the built document with a JSON Schema
 * 2020-12 validator.
 */
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "@/lib/analytics/register-openapi";
import { buildOpenApiDocument } from "@/lib/openapi/registry";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as history from "@/app/api/v1/audit/history/route";
import * as statistics from "@/app/api/v1/audit/statistics/route";
import * as soc2 from "@/app/api/v1/audit/evidence/soc2/route";
import * as retention from "@/app/api/v1/audit/retention/route";
import * as enforce from "@/app/api/v1/audit/retention/enforce/route";
import * as holds from "@/app/api/v1/audit/legal-holds/route";
import * as release from "@/app/api/v1/audit/legal-holds/[id]/release/route";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { TEST_DB } from "../support/test-database";

let app: { close(): Promise<void> };
let token: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is walked generically
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

beforeAll(async () => {
  app = await useScratchApp();
  doc = buildOpenApiDocument();
  ajv.addSchema({ $id: "https://audit-trail.local/openapi.json", components: doc.components });
  await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "oa6" } });
  token = (await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org: "oa6", name: "t", scopes: ["audit:read", "audit:write", "audit:export", "admin"] } })).body.token;
  const scanner = { id: "scanner", type: "system", name: "Scanner" };
  await call(logs.POST, "POST", "/api/v1/audit/logs", {
    token,
    body: {
      events: [
        { timestamp: "2024-01-03T09:00:00Z", actor: scanner, action: "scan.completed", resource: { type: "scan", id: "s1" }, repository: { id: "r", name: "acme/r" }, details: { framework: "soc2", score: 78 } },
        { timestamp: "2024-01-04T09:00:00Z", actor: { id: "u", type: "user", email: "u@x.io" }, action: "user.login", resource: { type: "user", id: "u" } },
      ],
    },
  });
});
afterAll(async () => {
  await app?.close();
});

function conforms(method: string, path: string, r: { status: number; body: unknown }) {
  const op = doc.paths[path]?.[method];
  expect(op, `${method} ${path} is documented`).toBeDefined();
  const res = op.responses[String(r.status)];
  expect(res, `${method} ${path} documents ${r.status}`).toBeDefined();
  const schema = res.content["application/json"].schema;
  const validate = schema.$ref ? ajv.getSchema(`https://audit-trail.local/openapi.json${schema.$ref}`) : ajv.compile(schema);
  expect(validate!(r.body), `${method} ${path} ${r.status}: ${JSON.stringify(validate!.errors)}`).toBe(true);
}

describe(`OpenAPI of the analytics and retention routes (${TEST_DB})`, () => {
  it("every answer matches its documented schema", async () => {
    const opts = { token };
    conforms("get", "/api/v1/audit/history", await call(history.GET, "GET", "/api/v1/audit/history?from=2024-01-01&to=2024-01-14", opts));
    conforms("get", "/api/v1/audit/statistics", await call(statistics.GET, "GET", "/api/v1/audit/statistics", opts));
    conforms("get", "/api/v1/audit/statistics", await call(statistics.GET, "GET", "/api/v1/audit/statistics?from=2024-01-01", opts));
    conforms("get", "/api/v1/audit/evidence/soc2", await call(soc2.GET, "GET", "/api/v1/audit/evidence/soc2?criteria=CC7.1&audit_period_start=2024-01-01&audit_period_end=2024-01-31", opts));
    conforms("get", "/api/v1/audit/retention", await call(retention.GET, "GET", "/api/v1/audit/retention", opts));
    conforms("put", "/api/v1/audit/retention", await call(retention.PUT, "PUT", "/api/v1/audit/retention", { ...opts, body: { evidence_exports: { retention_days: 60 } } }));
    conforms("post", "/api/v1/audit/retention/enforce", await call(enforce.POST, "POST", "/api/v1/audit/retention/enforce", opts));
    const created = await call(holds.POST, "POST", "/api/v1/audit/legal-holds", { ...opts, body: { scope: "all", reason: "openapi check" } });
    conforms("post", "/api/v1/audit/legal-holds", created);
    conforms("get", "/api/v1/audit/legal-holds", await call(holds.GET, "GET", "/api/v1/audit/legal-holds", opts));
    const id = created.body.data.id as string;
    conforms("post", "/api/v1/audit/legal-holds/{id}/release", await call(release.POST, "POST", `/api/v1/audit/legal-holds/${id}/release`, { ...opts, params: { id } }));
  });
});
