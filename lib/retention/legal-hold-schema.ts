import { z } from "zod";

/* Pure schemas and types of legal holds: shared by the API and the settings page. */

export const HOLD_SCOPES = ["all", "repository", "actor"] as const;
export type HoldScope = (typeof HOLD_SCOPES)[number];

export const CreateLegalHoldSchema = z
  .object({
    scope: z.enum(HOLD_SCOPES, { message: `must be one of ${HOLD_SCOPES.join(", ")}` }),
    /** Repository id (scope repository) or actor id / email (scope actor); absent for scope all. */
    target: z
      .string()
      .trim()
      .max(320, "at most 320 characters")
      .optional()
      .transform((v) => v || undefined),
    reason: z.string().trim().min(3, "must be at least 3 characters").max(2000, "at most 2000 characters"),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.scope !== "all" && !v.target) ctx.addIssue({ code: "custom", path: ["target"], message: `is required for scope "${v.scope}"` });
    if (v.scope === "all" && v.target) ctx.addIssue({ code: "custom", path: ["target"], message: 'must be absent for scope "all"' });
  });
export type CreateLegalHold = Omit<z.output<typeof CreateLegalHoldSchema>, "target"> & { target?: string };

export const ReleaseLegalHoldSchema = z.object({ reason: z.string().trim().min(1).max(2000, "at most 2000 characters").optional() }).strict();

export interface LegalHoldView {
  id: string;
  scope: HoldScope;
  target: string | null;
  reason: string;
  status: "active" | "released";
  created_at: string;
  created_by: string;
  released_at: string | null;
  released_by: string | null;
  release_reason: string | null;
}

