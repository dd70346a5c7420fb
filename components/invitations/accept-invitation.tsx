"use client";

import { useState } from "react";
import { ApiError, apiFetch } from "@/lib/client/api-fetch";

/** Accepts the invitation (POST, CSRF header from apiFetch), switches to the new org and opens its log. */
export function AcceptInvitation({ token, orgSlug, orgName }: { token: string; orgSlug: string; orgName: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/invitations/${encodeURIComponent(token)}/accept`, { method: "POST" });
      await apiFetch("/api/v1/me/org", { method: "PUT", body: { org: orgSlug } });
      window.location.assign("/logs");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not reach the server. Check your connection and try again.");
      setBusy(false);
    }
  };
  return (
    <div className="mt-5 space-y-3">
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
      <button type="button" onClick={accept} disabled={busy} className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {busy ? "Joining…" : `Join ${orgName}`}
      </button>
    </div>
  );
}
