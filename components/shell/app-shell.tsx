"use client";

import { BarChart3, FileArchive, Home, ListTree, LogOut, Menu, Moon, Settings, ShieldCheck, Sun, X } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { usePreferences } from "@/components/preferences";
import { hasScope, useMe, useSignOut, useSwitchOrg, type SessionView } from "@/lib/client/use-session";

/** Each item names the scope its page needs: a role sees only what it can use (the API checks again). */
export const NAV = [
  { href: "/", label: "Home", icon: Home, scope: "audit:read" },
  { href: "/logs", label: "Explorer", icon: ListTree, scope: "audit:read" },
  { href: "/history", label: "History", icon: BarChart3, scope: "audit:read" },
  { href: "/exports", label: "Exports", icon: FileArchive, scope: "audit:export" },
  { href: "/integrity", label: "Integrity", icon: ShieldCheck, scope: "audit:read" },
  { href: "/settings", label: "Settings", icon: Settings, scope: "admin" },
] as const;

const isActive = (pathname: string, href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));

/** The signed-in frame: navigation, org switcher, UTC/local toggle, theme toggle, user and sign-out. */
export function AppShell({ initialMe, children }: { initialMe: SessionView; children: React.ReactNode }) {
  const pathname = usePathname();
  const { data: me = initialMe } = useMe(initialMe);
  const items = NAV.filter((n) => hasScope(me, n.scope));
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [pathname]);
  const links = (
    <ul className="flex flex-col gap-1">
      {items.map(({ href, label, icon: Icon }) => {
        const active = isActive(pathname, href);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={active ? "page" : undefined}
              className={`flex items-center gap-2 whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium ${
                active ? "bg-indigo-100 text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100" : "text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
              }`}
            >
              <Icon className="h-4 w-4" aria-hidden />
              {label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
  return (
    <div className="flex min-h-screen flex-col min-[769px]:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900">
        Skip to content
      </a>
      <aside className="border-b border-slate-200 bg-slate-50 min-[769px]:sticky min-[769px]:top-0 min-[769px]:h-screen min-[769px]:w-56 min-[769px]:shrink-0 min-[769px]:border-b-0 min-[769px]:border-r dark:border-slate-800 dark:bg-slate-900">
        <div className="flex items-center justify-between gap-2 px-4 py-3 min-[769px]:py-5">
          <span className="flex items-center gap-2">
            <ShieldCheck className="h-6 w-6 text-indigo-600 dark:text-indigo-400" aria-hidden />
            <span className="text-lg font-semibold tracking-tight">Audit Trail</span>
          </span>
          {/* ≤ 768 px: the navigation folds into a menu. */}
          <button
            type="button"
            className="flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 text-sm min-[769px]:hidden dark:border-slate-700"
            aria-expanded={menuOpen}
            aria-controls="main-nav-menu"
            onClick={() => setMenuOpen((o) => !o)}
          >
            {menuOpen ? <X className="h-4 w-4" aria-hidden /> : <Menu className="h-4 w-4" aria-hidden />}
            Menu
          </button>
        </div>
        <nav aria-label="Main" className="hidden px-2 pb-2 min-[769px]:block min-[769px]:pb-0">
          {links}
        </nav>
        {menuOpen && (
          <nav id="main-nav-menu" aria-label="Main (menu)" className="border-t border-slate-200 px-2 py-2 min-[769px]:hidden dark:border-slate-800" data-testid="nav-menu">
            {links}
          </nav>
        )}
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex flex-wrap items-center justify-end gap-2 border-b border-slate-200 px-4 py-2 sm:gap-3 dark:border-slate-800">
          <OrgSwitcher me={me} />
          <TimeZoneToggle />
          <ThemeToggle />
          <UserMenu me={me} />
        </header>
        <main id="main" className="min-w-0 flex-1 px-4 py-4 min-[769px]:px-6">
          {children}
        </main>
      </div>
    </div>
  );
}

function OrgSwitcher({ me }: { me: SessionView }) {
  const switchOrg = useSwitchOrg();
  const router = useRouter();
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="text-slate-500 dark:text-slate-400">Org</span>
      <select
        aria-label="Organization"
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
        value={me.org?.slug ?? ""}
        disabled={switchOrg.isPending || me.orgs.length < 2}
        onChange={(e) =>
          switchOrg.mutate(e.target.value, {
            onSuccess: (next) => {
              toast.success(`Switched to ${next.org?.name ?? e.target.value}`);
              router.refresh();
            },
            onError: (err) => toast.error(`Could not switch org: ${err.message}`),
          })
        }
      >
        {me.orgs.map((o) => (
          <option key={o.id} value={o.slug}>
            {o.name} ({o.role})
          </option>
        ))}
      </select>
    </label>
  );
}

export function TimeZoneToggle() {
  const { timeZone, setTimeZone } = usePreferences();
  return (
    <div role="group" aria-label="Time zone" className="flex overflow-hidden rounded-md border border-slate-300 text-xs dark:border-slate-700">
      {(["utc", "local"] as const).map((tz) => (
        <button
          key={tz}
          type="button"
          aria-pressed={timeZone === tz}
          onClick={() => setTimeZone(tz)}
          className={`px-2 py-1 font-medium ${timeZone === tz ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800"}`}
        >
          {tz === "utc" ? "UTC" : "Local"}
        </button>
      ))}
    </div>
  );
}

function ThemeToggle() {
  const { theme, setTheme } = usePreferences();
  const dark = theme === "dark";
  return (
    <button
      type="button"
      onClick={() => setTheme(dark ? "light" : "dark")}
      aria-label={dark ? "Switch to light mode" : "Switch to dark mode"}
      className="rounded-md border border-slate-300 p-1.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
    >
      {dark ? <Sun className="h-4 w-4" aria-hidden /> : <Moon className="h-4 w-4" aria-hidden />}
    </button>
  );
}

function UserMenu({ me }: { me: SessionView }) {
  const signOut = useSignOut();
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className="hidden text-right sm:block">
        <span className="block font-medium leading-tight" data-testid="user-email">{me.user.email}</span>
        <span className="block text-xs leading-tight text-slate-500 dark:text-slate-400" data-testid="user-role">{me.role}</span>
      </span>
      <button
        type="button"
        onClick={() =>
          signOut.mutate(undefined, {
            onSuccess: () => window.location.assign("/login"),
            onError: (e) => toast.error(`Sign-out failed: ${e.message}`),
          })
        }
        className="flex items-center gap-1 rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        <LogOut className="h-4 w-4" aria-hidden />
        Sign out
      </button>
    </div>
  );
}
