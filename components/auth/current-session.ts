import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDatabase } from "@/lib/db/get-database";
import { describeSession, findSession, type SessionView } from "@/lib/sessions/manage-sessions";
import { SESSION_COOKIE } from "@/lib/sessions/session-cookie";

/** For server components: the signed-in user's view, or null. */
export async function getCurrentSession(): Promise<SessionView | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const db = await getDatabase();
  const principal = await findSession({ db, token });
  if (!principal) return null;
  const { csrfToken: _csrf, ...p } = principal;
  return describeSession({ db, principal: p });
}

/** Signed in, or off to /login. */
export async function requireCurrentSession(): Promise<SessionView> {
  const s = await getCurrentSession();
  if (!s) redirect("/login");
  return s;
}
