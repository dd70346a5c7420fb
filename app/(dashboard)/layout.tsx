import { requireCurrentSession } from "@/components/auth/current-session";
import { AppShell } from "@/components/shell/app-shell";

export const dynamic = "force-dynamic";

/** Every dashboard page: signed in (or redirected to /login), inside the shell. */
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const me = await requireCurrentSession();
  return <AppShell initialMe={me}>{children}</AppShell>;
}
