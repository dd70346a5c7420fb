"use client";

import { createContext, useCallback, useContext, useMemo, useState } from "react";

export type TimeZoneMode = "utc" | "local";
export type Theme = "light" | "dark";

import { THEME_COOKIE, TZ_COOKIE } from "./preference-cookies";

interface Preferences {
  timeZone: TimeZoneMode;
  setTimeZone(tz: TimeZoneMode): void;
  theme: Theme;
  setTheme(theme: Theme): void;
}

const Ctx = createContext<Preferences | null>(null);

function writeCookie(name: string, value: string) {
  document.cookie = `${name}=${value}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

/**
 * Time zone (UTC or the browser's) and theme, kept in cookies so that the server renders the
 * right theme class and time zone on the first paint (no flash, no hydration mismatch).
 */
export function PreferencesProvider({ initialTimeZone, initialTheme, children }: { initialTimeZone: TimeZoneMode; initialTheme: Theme; children: React.ReactNode }) {
  const [timeZone, setTz] = useState<TimeZoneMode>(initialTimeZone);
  const [theme, setThemeState] = useState<Theme>(initialTheme);
  const setTimeZone = useCallback((tz: TimeZoneMode) => {
    setTz(tz);
    writeCookie(TZ_COOKIE, tz);
  }, []);
  const setTheme = useCallback((t: Theme) => {
    setThemeState(t);
    writeCookie(THEME_COOKIE, t);
    document.documentElement.classList.toggle("dark", t === "dark");
    document.documentElement.style.colorScheme = t;
  }, []);
  const value = useMemo(() => ({ timeZone, setTimeZone, theme, setTheme }), [timeZone, setTimeZone, theme, setTheme]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function usePreferences(): Preferences {
  const v = useContext(Ctx);
  if (!v) throw new Error("usePreferences outside PreferencesProvider");
  return v;
}
