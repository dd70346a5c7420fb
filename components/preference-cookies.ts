/** Cookie names of the dashboard's display preferences (read by the server for the first paint). */
export const TZ_COOKIE = "audit_tz";
export const THEME_COOKIE = "audit_theme";
