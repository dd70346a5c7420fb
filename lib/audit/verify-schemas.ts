import { z } from "zod";

/** Body of POST /api/v1/audit/verify (optional): the range to verify. */
export const VerifyBodySchema = z
  .object({ from: z.string().optional(), to: z.string().optional(), repository_id: z.string().min(1).optional() })
  .strict();
