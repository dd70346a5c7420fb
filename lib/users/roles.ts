import { z } from "zod";
import type { Scope } from "../auth/scopes";

export const ROLES = ["admin", "auditor", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });

/** admin: everything; auditor: read + export; viewer: read. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ["audit:read", "audit:write", "audit:export", "admin"],
  auditor: ["audit:read", "audit:export"],
  viewer: ["audit:read"],
};

export function toRole(value: string): Role {
  const r = RoleSchema.safeParse(value);
  return r.success ? r.data : "viewer";
}
