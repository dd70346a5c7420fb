/** OpenAPI registrations: dashboard sign-in and session, user admin, and the explorer's endpoints. */
import { z } from "zod";
import { EXPLORER_FACETS } from "../../audit/event-fields";
import { ExplorerParamsSchema } from "../../audit/explorer-filter";
import { LogExportRequestSchema } from "../../exports/export-schemas";
import { SCOPES } from "../../auth/scopes";
import { ROLES } from "../../users/roles";
import { InvitationCreatedSchema, InvitationViewSchema } from "../../users/invitation-schemas";
import { CreateUserInputSchema, SignInInputSchema, SwitchOrgInputSchema } from "../../users/user-schemas";
import { registerRoute } from "../registry";

const Json = z.record(z.string(), z.unknown());
const Entry = z
  .object({ id: z.string(), seq: z.number().int(), timestamp: z.string(), received_at: z.string(), action: z.string(), actor: Json, resource: Json, hash: z.string(), previous_hash: z.string().nullable() })
  .catchall(z.unknown())
  .describe("The canonical entry (docs/architecture.md) with its chain fields.");
const OrgRef = z.object({ id: z.string(), slug: z.string(), name: z.string() });
const SessionView = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  org: OrgRef.nullable(),
  role: z.enum(ROLES),
  scopes: z.array(z.enum(SCOPES)),
  orgs: z.array(OrgRef.extend({ role: z.enum(ROLES) })),
});
const UserView = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES), created_at: z.string(), last_login_at: z.string().nullable() });
const cookieHeaders = { "Set-Cookie": { description: "audit_session (httpOnly) and audit_csrf (readable; echo it in X-CSRF-Token on writes).", schema: { type: "string" } } };
const session: ("bearer" | "basic" | "session")[] = ["session"];
const all: ("bearer" | "basic" | "session")[] = ["bearer", "basic", "session"];

registerRoute({
  method: "post", path: "/api/v1/auth/sign-in", operationId: "signIn", summary: "Dashboard sign-in (email + password → session cookie); failed attempts are throttled",
  tags: ["Dashboard"], scope: null, body: SignInInputSchema,
  responses: { 200: { description: "Signed in.", schema: z.object({ success: z.literal(true), data: z.object({ expires_at: z.string() }) }), headers: cookieHeaders } },
  errors: [401, 404, 422],
});
registerRoute({
  method: "post", path: "/api/v1/auth/sign-out", operationId: "signOut", summary: "End the session (needs X-CSRF-Token)",
  tags: ["Dashboard"], scope: "audit:read", security: session,
  responses: { 200: { description: "Signed out; both cookies cleared.", schema: z.object({ success: z.literal(true) }), headers: cookieHeaders } },
});
registerRoute({
  method: "get", path: "/api/v1/me", operationId: "getMe", summary: "The signed-in user, current org, role and orgs",
  tags: ["Dashboard"], scope: "audit:read", security: session,
  responses: { 200: { description: "The session.", schema: z.object({ success: z.literal(true), data: SessionView }) } },
});
registerRoute({
  method: "put", path: "/api/v1/me/org", operationId: "switchOrg", summary: "Switch the session's org (one the user belongs to; needs X-CSRF-Token)",
  tags: ["Dashboard"], scope: "audit:read", security: session, body: SwitchOrgInputSchema,
  responses: { 200: { description: "Switched.", schema: z.object({ success: z.literal(true), data: SessionView }) } },
  errors: [404, 422],
});
registerRoute({
  method: "post", path: "/api/v1/admin/users", operationId: "createUser",
  summary: "Add a dashboard user to the caller's org with a role (audited as user.created); an existing account is invited instead (user.invited)",
  description: "A new email creates the user with this password (201). An email that already has an account (a user of another org) is never attached directly: the answer is 202 with an invitation link, shown once, which that user accepts after signing in (`POST /api/v1/invitations/{token}/accept`); the password in the body is ignored for them.",
  tags: ["Admin"], scope: "admin", security: all, body: CreateUserInputSchema,
  responses: {
    201: { description: "Created.", schema: z.object({ success: z.literal(true), data: UserView }) },
    202: { description: "Invited (the email belongs to an existing account).", schema: z.object({ success: z.literal(true), data: InvitationCreatedSchema }) },
  },
  errors: [409, 422],
});
registerRoute({
  method: "post", path: "/api/v1/invitations/{token}/accept", operationId: "acceptInvitation",
  summary: "Accept an invitation as the signed-in user (needs X-CSRF-Token); joins the inviting org (audited there as user.invitation_accepted)",
  tags: ["Dashboard"], scope: "audit:read", security: session, params: z.object({ token: z.string() }),
  responses: { 200: { description: "Accepted: the user is now a member of the org with the invited role.", schema: z.object({ success: z.literal(true), data: InvitationViewSchema }) } },
  errors: [404, 409, 410],
});
registerRoute({
  method: "get", path: "/api/v1/admin/users", operationId: "listUsers", summary: "The org's dashboard users and roles",
  tags: ["Admin"], scope: "admin", security: all,
  responses: { 200: { description: "Users.", schema: z.object({ success: z.literal(true), data: z.array(UserView) }) } },
});
registerRoute({
  method: "get", path: "/api/v1/audit/explorer/events", operationId: "explorerEvents",
  summary: "Explorer list: canonical entries newest (or oldest) first, keyset-paged over (timestamp, seq), with the total; an empty result says why",
  description: "`q` is the explorer's query language (docs/api.md, Query language). `cursor` is the previous page's `next_cursor` (it carries its `order`); `total=0` skips the count; `order=asc` pages oldest first over the whole result.",
  tags: ["Explorer"], scope: "audit:read", security: all,
  query: ExplorerParamsSchema.extend({ cursor: z.string().optional(), limit: z.string().optional().describe("1–500, default 100"), total: z.enum(["0", "1"]).optional(), order: z.enum(["desc", "asc"]).optional() }),
  responses: {
    200: {
      description: "A page.",
      schema: z.object({
        success: z.literal(true),
        data: z.array(Entry),
        next_cursor: z.string().nullable(),
        total: z.number().int().nullable(),
        total_exact: z.boolean().describe("false: more than `total` (10 000) entries match").optional(),
        order: z.enum(["desc", "asc"]),
        time_window: z
          .object({ from: z.string().nullable(), to: z.string().nullable(), from_source: z.enum(["range", "query"]).nullable(), to_source: z.enum(["range", "query"]).nullable() })
          .describe("The time window applied: `from`/`to` and the query's created: intersected (the narrower bound wins; `*_source` says which)"),
        empty: z
          .object({
            clauses: z.array(z.object({ clause: z.string(), kind: z.enum(["filter", "query", "time"]), matches_without: z.number().int(), exact: z.boolean() })),
            culprit: z.string().nullable(),
            suggestions: z.array(z.object({ message: z.string(), q: z.string().optional(), matches: z.number().int().optional() })),
          })
          .optional()
          .describe("Only when the first page is empty: how many entries match with each clause removed, the clause that eliminated everything, likely fixes"),
      }),
    },
  },
});
registerRoute({
  method: "get", path: "/api/v1/audit/explorer/histogram", operationId: "explorerHistogram", summary: "Events per time bucket for the explorer's filters",
  tags: ["Explorer"], scope: "audit:read", security: all, query: ExplorerParamsSchema,
  responses: {
    200: {
      description: "Buckets (at most ~120; empty ones included).",
      schema: z.object({ success: z.literal(true), data: z.object({ interval_ms: z.number(), from: z.string().nullable(), to: z.string().nullable(), buckets: z.array(z.object({ start: z.string(), count: z.number().int() })), complete: z.boolean().describe("false: the filter matched more than 100 000 entries that the indexes cannot count alone; only the newest are counted"), counted_from: z.string().optional().describe("with complete: false, the oldest timestamp counted") }) }),
    },
  },
});
const Facet = z.object({ value: z.string(), label: z.string().optional(), count: z.number().int() });
registerRoute({
  method: "get", path: "/api/v1/audit/explorer/facets", operationId: "explorerFacets", summary: "Value counts for the filter bar and autocomplete",
  tags: ["Explorer"], scope: "audit:read", security: all, query: ExplorerParamsSchema,
  responses: {
    200: {
      description: "Top values of each facet the field registry declares (lib/audit/event-fields.ts).",
      schema: z.object({
        success: z.literal(true),
        data: z.object({ ...Object.fromEntries(EXPLORER_FACETS.map((f) => [f.name, z.array(Facet)])), sample: z.number().int().describe("how many of the newest matching entries the counts cover (at most 10 000)") }),
      }),
    },
  },
});
registerRoute({
  method: "get", path: "/api/v1/audit/explorer/entries/{id}", operationId: "explorerEntry", summary: "One entry with its chain neighbours and its resource's timeline",
  tags: ["Explorer"], scope: "audit:read", security: all, params: z.object({ id: z.string() }),
  responses: {
    200: {
      description: "The entry.",
      schema: z.object({
        success: z.literal(true),
        data: z.object({ event: Entry, previous: z.object({ id: z.string(), seq: z.number() }).nullable(), next: z.object({ id: z.string(), seq: z.number() }).nullable(), timeline: z.array(Entry) }),
      }),
    },
  },
  errors: [404],
});
registerRoute({
  method: "get", path: "/api/v1/exports/repositories", operationId: "exportRepositories",
  summary: "The org's repositories (id and latest name) whose id or name contains `q`: for picking repositories by name in the export forms",
  tags: ["Exports"], scope: "audit:read", security: all,
  query: z.object({ q: z.string().max(256).optional(), limit: z.string().optional().describe("1–200, default 50") }),
  responses: { 200: { description: "Repositories.", schema: z.object({ success: z.literal(true), data: z.array(z.object({ id: z.string(), name: z.string().nullable() })) }) } },
});
registerRoute({
  method: "post", path: "/api/v1/exports/preview", operationId: "previewLogExport",
  summary: "What a log export (the POST /audit-logs/export body) would hold: rows (exact up to 10 000) and a warning before an empty file. Reads only.",
  tags: ["Exports"], scope: "audit:export", security: all, body: LogExportRequestSchema,
  responses: {
    200: {
      description: "The preview.",
      schema: z.object({ success: z.literal(true), data: z.object({ rows: z.number().int(), rows_exact: z.boolean(), warnings: z.array(z.object({ code: z.literal("empty"), message: z.string() })) }) }),
    },
  },
});
