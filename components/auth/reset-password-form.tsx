"use client";

import { useState } from "react";
import { ApiError, apiFetch } from "@/lib/client/api-fetch";

/** The new password, twice; on success the link is spent and the user signs in with it. */
export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  if (done) {
    return (
      <p role="status" data-testid="reset-done">
        Your password is set. <a className="text-indigo-700 underline dark:text-indigo-300" href="/login">Sign in</a> as {email}.
      </p>
    );
  }
  return (
    <form
      className="mt-4 space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const password = String(f.get("password") ?? "");
        if (password !== String(f.get("confirm") ?? "")) return setError("The two passwords differ.");
        setBusy(true);
        setError(null);
        try {
          await apiFetch("/api/v1/auth/password-reset", { method: "POST", body: { token, password } });
          setDone(true);
        } catch (err) {
          setError(err instanceof ApiError ? err.message : "Could not reach the server. Try again.");
        } finally {
          setBusy(false);
        }
      }}
    >
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <label className="block">New password<input name="password" type="password" autoComplete="new-password" minLength={12} required className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900" /></label>
      <label className="block">Repeat it<input name="confirm" type="password" autoComplete="new-password" minLength={12} required className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900" /></label>
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-800 dark:bg-red-950 dark:text-red-200">{error}</p>}
      <button type="submit" disabled={busy} className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">{busy ? "Saving…" : "Set password"}</button>
    </form>
  );
}
