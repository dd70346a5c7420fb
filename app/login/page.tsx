import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentSession } from "@/components/auth/current-session";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/** Only same-site paths: never an open redirect. */
const safeNext = (v: string | string[] | undefined) => (typeof v === "string" && /^\/(?!\/)[^\s\\]*$/.test(v) ? v : "/logs");

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  if (await getCurrentSession()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 px-4 dark:bg-slate-950">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to Audit Trail</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Use the email and password your admin gave you.</p>
        <SignInForm next={next} />
      </div>
    </main>
  );
}
