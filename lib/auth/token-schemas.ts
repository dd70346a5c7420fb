import { z } from "zod";
import { ScopeSchema, type Scope } from "./scopes";

export const CreateTokenInputSchema = z
  .object({
    org: z.string().min(1).max(64).optional(),
    name: z.string().trim().min(1, "must not be empty").max(200),
    scopes: z.array(ScopeSchema).min(1, "give at least one scope").max(4),
    expires_at: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" }).optional(),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .refine((v) => !(v.expires_at && v.expires_in_days), { message: "give expires_at or expires_in_days, not both", path: ["expires_at"] });

export type CreateTokenInput = z.infer<typeof CreateTokenInputSchema>;

export interface TokenView {
  id: string;
  name: string;
  org: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}
