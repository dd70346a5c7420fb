import { z } from "zod";
import { ROLES } from "./roles";

/** What the inviting admin gets back, once: the link is the only copy of the token. */
export const InvitationCreatedSchema = z.object({
  status: z.literal("invited"),
  invitation: z.object({
    id: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    expires_at: z.string(),
    accept_path: z.string().describe("`/invitations/<token>`: shown once; send it to the user, who opens it signed in as `email`."),
  }),
});
export type InvitationCreated = z.infer<typeof InvitationCreatedSchema>;

/** What the invited person sees (page and accept answer): which org, which role, until when. */
export const InvitationViewSchema = z.object({
  org: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  email: z.string(),
  role: z.enum(ROLES),
  expires_at: z.string(),
  status: z.enum(["pending", "accepted", "expired"]),
});
export type InvitationView = z.infer<typeof InvitationViewSchema>;

/** Tokens are `inv_` + 43 base64url characters; anything else is refused before any lookup. */
export const InvitationTokenSchema = z.string().regex(/^inv_[A-Za-z0-9_-]{43}$/, "is not an invitation token");
