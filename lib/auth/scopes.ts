import { z } from "zod";

export const SCOPES = ["audit:read", "audit:write", "audit:export", "admin"] as const;
export type Scope = (typeof SCOPES)[number];
export const ScopeSchema = z.enum(SCOPES, { message: `must be one of ${SCOPES.join(", ")}` });
