"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/lib/client/api-fetch";

const FormSchema = z.object({ email: z.string().trim().email("Enter an email address"), password: z.string().min(1, "Enter your password") });
type FormValues = z.infer<typeof FormSchema>;
const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<FormValues>({ resolver: zodResolver(FormSchema), defaultValues: { email: "", password: "" } });
  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      await apiFetch("/api/v1/auth/sign-in", { method: "POST", body: values });
      window.location.assign(next);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not reach the server. Check your connection and try again.");
    }
  });
  const err = form.formState.errors;
  return (
    <form onSubmit={onSubmit} className="mt-5 space-y-4" noValidate>
      <div>
        <label htmlFor="email" className="text-sm font-medium">Email</label>
        <input id="email" type="email" autoComplete="username" className={input} aria-invalid={!!err.email} aria-describedby={err.email ? "email-error" : undefined} {...form.register("email")} />
        {err.email && <p id="email-error" className="mt-1 text-sm text-red-700 dark:text-red-400">{err.email.message}</p>}
      </div>
      <div>
        <label htmlFor="password" className="text-sm font-medium">Password</label>
        <input id="password" type="password" autoComplete="current-password" className={input} aria-invalid={!!err.password} aria-describedby={err.password ? "password-error" : undefined} {...form.register("password")} />
        {err.password && <p id="password-error" className="mt-1 text-sm text-red-700 dark:text-red-400">{err.password.message}</p>}
      </div>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          {error}
        </p>
      )}
      <button type="submit" disabled={form.formState.isSubmitting} className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
        {form.formState.isSubmitting ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
