import type { Metadata } from "next";
import { cookies } from "next/headers";
import { Providers } from "@/components/providers";
import { THEME_COOKIE, TZ_COOKIE } from "@/components/preference-cookies";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Audit Trail", template: "%s · Audit Trail" },
  description: "Self-hosted, tamper-evident audit logs with an auditor's dashboard",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const jar = await cookies();
  const theme = jar.get(THEME_COOKIE)?.value === "dark" ? "dark" : "light";
  const timeZone = jar.get(TZ_COOKIE)?.value === "local" ? "local" : "utc";
  return (
    <html lang="en" className={theme === "dark" ? "dark" : undefined} style={{ colorScheme: theme }}>
      <body className="min-h-screen bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers timeZone={timeZone} theme={theme}>
          {children}
        </Providers>
      </body>
    </html>
  );
}
