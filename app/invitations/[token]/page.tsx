import type { Metadata } from "next";
import Link from "next/link";
import { getCurrentSession } from "@/components/auth/current-session";
import { AcceptInvitation } from "@/components/invitations/accept-invitation";
import { getDatabase } from "@/lib/db/get-database";
import { isAppError } from "@/lib/errors";
import { getInvitation } from "@/lib/users/manage-invitations";
import type { InvitationView } from "@/lib/users/invitation-schemas";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 px-4 dark:bg-slate-950">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        <div className="mt-2 space-y-2 text-sm text-slate-700 dark:text-slate-300">{children}</div>
      </div>
    </main>
  );
}

/** An invitation link (`/invitations/<token>`): shows the org and role; the invited user accepts it signed in. */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let inv: InvitationView;
  try {
    inv = await getInvitation({ db: await getDatabase(), token });
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return <Card title="Invitation not found"><p>This invitation link is not valid. Ask the org&apos;s admin for a new one.</p></Card>;
    throw e;
  }
  const title = `Join ${inv.org.name}`;
  if (inv.status === "accepted") return <Card title={title}><p>This invitation has already been accepted.</p><p><Link className="text-indigo-700 underline dark:text-indigo-300" href="/logs">Open the audit log</Link></p></Card>;
  if (inv.status === "expired") return <Card title={title}><p>This invitation has expired. Ask the org&apos;s admin for a new one.</p></Card>;
  const session = await getCurrentSession();
  const intro = <p>You are invited to the org <strong>{inv.org.name}</strong> ({inv.org.slug}) as <strong>{inv.role}</strong>. The invitation is for <strong>{inv.email}</strong>.</p>;
  if (!session) {
    return (
      <Card title={title}>
        {intro}
        <p>Sign in with that account to accept it.</p>
        <p><Link className="text-indigo-700 underline dark:text-indigo-300" href={`/login?next=${encodeURIComponent(`/invitations/${token}`)}`}>Sign in</Link></p>
      </Card>
    );
  }
  if (session.user.email.toLowerCase() !== inv.email) {
    return (
      <Card title={title}>
        {intro}
        <p role="alert">You are signed in as {session.user.email}. Sign out and sign in as {inv.email} to accept it.</p>
      </Card>
    );
  }
  return (
    <Card title={title}>
      {intro}
      <AcceptInvitation token={token} orgSlug={inv.org.slug} orgName={inv.org.name} />
    </Card>
  );
}
