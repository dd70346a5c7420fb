/**
 * AppSec+ dialect (`/audit-logs`, `/audit-logs/{id}`): request and response schemas. The routes
 * parse with AppSecListQuery; audit-logs.ts maps to AppSecEntry (typed from it); register-openapi.ts
 * documents both; tests/integration/openapi.test.ts checks real answers against them.
 */
import { z } from "zod";
import { intParam } from "../../http/query-params";

const text = z.string().min(1, "must not be empty").max(512, "at most 512 characters");

export const AppSecListQuery = z.object({
  actorId: text.optional().describe("Filter by user or service account ID."),
  resourceType: text.optional().describe("Example: application, policy, connector, role."),
  action: text.optional().describe("Exact action name, e.g. policy.update; `policy.*` matches every action starting with `policy.`."),
  from: z.string().optional().describe("ISO timestamp start boundary (inclusive)."),
  to: z.string().optional().describe("ISO timestamp end boundary (inclusive)."),
  limit: intParam("limit", 1, 1000).default(100).describe("Entries per page (1–1000, default 100). The next page is announced in a `Link: <…>; rel=\"next\"` header."),
  cursor: z.string().max(200).optional().describe("Opaque cursor from the previous page's Link header."),
});
export type AppSecListQuery = z.infer<typeof AppSecListQuery>;

export const AppSecEntry = z.object({
  id: z.string(),
  timestamp: z.string().describe("UTC ISO timestamp."),
  actor: z.object({ id: z.string(), type: z.string(), email: z.string().optional() }),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string(), name: z.string().optional() }),
  metadata: z.object({
    ip: z.string().optional(),
    requestId: z.string().optional(),
    changes: z.record(z.string(), z.object({ old: z.unknown(), new: z.unknown() })).optional(),
  }),
});
export const AppSecList = z.array(AppSecEntry);
export type AppSecEntry = z.infer<typeof AppSecEntry>;
