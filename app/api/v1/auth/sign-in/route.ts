import { publicApiHandler } from "@/lib/http/api-handler";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, zodToAppError } from "@/lib/http/respond";
import { clientAddress } from "@/lib/http/client-address";
import { isSecureRequest, sessionCookies } from "@/lib/sessions/session-cookie";
import { signIn } from "@/lib/sessions/sign-in";
import { SignInInputSchema } from "@/lib/users/user-schemas";

/** Dashboard sign-in: email + password → session cookie (httpOnly) + CSRF cookie. Throttled. */
export const POST = publicApiHandler(async ({ req, url, db }) => {
  const parsed = SignInInputSchema.safeParse(await readJsonBody(req, 16 * 1024));
  if (!parsed.success) throw zodToAppError(parsed.error);
  const session = await signIn({ db, ...parsed.data, ipAddress: clientAddress(req.headers), userAgent: req.headers.get("user-agent") ?? undefined });
  const secure = isSecureRequest(url, req.headers.get("x-forwarded-proto"));
  const headers = sessionCookies(session, secure).map((c): [string, string] => ["Set-Cookie", c]);
  return json({ success: true, data: { expires_at: session.expiresAt.toISOString() } }, { headers });
});
