/** OpenAPI registrations: member administration (role, removal, password reset) and saved explorer views. */
import { z } from "zod";
import { ROLES } from "../../users/roles";
import { ChangeRoleInputSchema, CompletePasswordResetSchema } from "../../users/manage-members";
import { registerRoute } from "../registry";

const all: ("bearer" | "basic" | "session")[] = ["bearer", "basic", "session"];
const session: ("bearer" | "basic" | "session")[] = ["session"];
const Id = z.object({ id: z.string() });
const View = z.object({ id: z.string(), name: z.string(), query: z.string().describe("the explorer's URL query string: `/logs?<query>` opens the view"), created_at: z.string(), updated_at: z.string() });

registerRoute({
  method: "patch", path: "/api/v1/admin/users/{id}", operationId: "changeUserRole", summary: "Change a member's role in the caller's org (audited as user.role_changed); the last admin cannot be demoted",
  tags: ["Admin"], scope: "admin", security: all, params: Id, body: ChangeRoleInputSchema,
  responses: { 200: { description: "The member with the new role.", schema: z.object({ success: z.literal(true), data: z.object({ id: z.string(), email: z.string(), role: z.enum(ROLES) }) }) } },
  errors: [404, 409, 422],
});
registerRoute({
  method: "delete", path: "/api/v1/admin/users/{id}", operationId: "removeUser", summary: "Remove a member from the caller's org (their sessions there end; the account stays; audited as user.removed)",
  tags: ["Admin"], scope: "admin", security: all, params: Id,
  responses: { 200: { description: "Removed.", schema: z.object({ success: z.literal(true), data: z.object({ id: z.string(), email: z.string() }) }) } },
  errors: [404, 409],
});
registerRoute({
  method: "post", path: "/api/v1/admin/users/{id}/password-reset", operationId: "createPasswordReset",
  summary: "A one-time password-reset link for a member of this org only (shown once; audited as user.password_reset_requested)",
  tags: ["Admin"], scope: "admin", security: all, params: Id,
  responses: { 201: { description: "The link (`reset_path`), valid 24 h, once.", schema: z.object({ success: z.literal(true), data: z.object({ email: z.string(), expires_at: z.string(), reset_path: z.string() }) }) } },
  errors: [404, 409],
});
registerRoute({
  method: "post", path: "/api/v1/auth/password-reset", operationId: "completePasswordReset", summary: "Set a new password through a reset link (the link is spent, the user's sessions end; audited as user.password_reset)",
  tags: ["Dashboard"], scope: null, body: CompletePasswordResetSchema,
  responses: { 200: { description: "Password set.", schema: z.object({ success: z.literal(true), data: z.object({ email: z.string() }) }) } },
  errors: [404, 410, 422],
});
registerRoute({
  method: "get", path: "/api/v1/views", operationId: "listSavedViews", summary: "The signed-in user's saved explorer views in the current org",
  tags: ["Explorer"], scope: "audit:read", security: session,
  responses: { 200: { description: "Views, by name.", schema: z.object({ success: z.literal(true), data: z.array(View) }) } },
  errors: [403],
});
registerRoute({
  method: "post", path: "/api/v1/views", operationId: "saveView", summary: "Save the current explorer view under a name (the same name replaces it)",
  tags: ["Explorer"], scope: "audit:read", security: session, body: z.object({ name: z.string().min(1).max(100), query: z.string().max(4000).describe("the explorer's URL query string; only its view parameters are kept") }).strict(),
  responses: { 201: { description: "Saved.", schema: z.object({ success: z.literal(true), data: View }) } },
  errors: [403, 409, 422],
});
registerRoute({
  method: "delete", path: "/api/v1/views/{id}", operationId: "deleteSavedView", summary: "Delete one of the user's saved views",
  tags: ["Explorer"], scope: "audit:read", security: session, params: Id,
  responses: { 200: { description: "Deleted.", schema: z.object({ success: z.literal(true) }) } },
  errors: [403, 404],
});
