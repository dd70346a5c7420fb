import { z } from "zod";

export const OrgSlugSchema = z
  .string()
  .min(2, "at least 2 characters")
  .max(64, "at most 64 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "lowercase letters, digits and inner hyphens");

export const CreateOrgInputSchema = z
  .object({ slug: OrgSlugSchema, name: z.string().trim().min(1, "must not be empty").max(200).optional() })
  .strict();

export interface OrgView {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}
