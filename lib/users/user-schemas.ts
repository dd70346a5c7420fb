import { z } from "zod";
import { RoleSchema } from "./roles";

export const EmailSchema = z.string().trim().toLowerCase().max(320, "at most 320 characters").email("must be an email address");
export const PasswordSchema = z.string().min(12, "at least 12 characters").max(256, "at most 256 characters");

export const SignInInputSchema = z
  .object({ email: EmailSchema, password: z.string().min(1, "is required").max(256, "at most 256 characters"), org: z.string().min(1).max(128).optional() })
  .strict();
export type SignInInput = z.infer<typeof SignInInputSchema>;

export const CreateUserInputSchema = z
  .object({ email: EmailSchema, name: z.string().trim().min(1, "must not be empty").max(256), password: PasswordSchema, role: RoleSchema })
  .strict();
export type CreateUserInput = z.infer<typeof CreateUserInputSchema>;

export const SwitchOrgInputSchema = z.object({ org: z.string().min(1, "is required").max(128) }).strict();
