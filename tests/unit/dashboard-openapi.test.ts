import { describe, expect, it } from "vitest";
import "@/lib/openapi/routes/dashboard";
import { buildOpenApiDocument } from "@/lib/openapi/registry";

describe("dashboard routes in the OpenAPI document", () => {
  it("registers sign-in, session, users and the explorer endpoints with their security", () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { security?: unknown[]; operationId?: string }>> };
    for (const p of ["/api/v1/auth/sign-in", "/api/v1/auth/sign-out", "/api/v1/me", "/api/v1/me/org", "/api/v1/admin/users", "/api/v1/audit/explorer/events", "/api/v1/audit/explorer/histogram", "/api/v1/audit/explorer/facets", "/api/v1/audit/explorer/entries/{id}"]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths["/api/v1/me"]!.get!.security).toEqual([{ session: [] }]);
    expect(doc.paths["/api/v1/auth/sign-in"]!.post!.security).toEqual([]);
  });
});
