import type { Metadata } from "next";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { getDatabase } from "@/lib/db/get-database";
import { isAppError } from "@/lib/errors";
import { getPasswordReset } from "@/lib/users/manage-members";

export const metadata: Metadata = { title: "Reset password" };
export const dynamic = "force-dynamic";

/** A one-time password-reset link (`/reset-password/<token>`) made by an org admin. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let body: React.ReactNode;
  try {
    const r = await getPasswordReset({ db: await getDatabase(), token });
    body = (
      <>
        <p>Choose a new password for <strong>{r.email}</strong> (at least 12 characters). Signing in elsewhere ends when you save it.</p>
        <ResetPasswordForm token={token} email={r.email} />
      </>
    );
  } catch (e) {
    if (!isAppError(e) || (e.code !== "not_found" && e.code !== "gone")) throw e;
    body = <p role="alert">{e.message}</p>;
  }
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 px-4 dark:bg-slate-950">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold tracking-tight">Reset password</h1>
        <div className="mt-2 space-y-2 text-sm text-slate-700 dark:text-slate-300">{body}</div>
      </div>
    </main>
  );
}
