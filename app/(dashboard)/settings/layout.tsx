import { requireCurrentSession } from "@/components/auth/current-session";
import { Forbidden } from "@/components/shell/coming-soon";

/** Settings are for admins only; other roles see why (the API refuses them as well). */
export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const me = await requireCurrentSession();
  if (me.role !== "admin") return <Forbidden what="Settings" />;
  return children;
}
