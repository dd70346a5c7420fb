/** Shared by playwright.config.ts and the specs. E2E_PORT overrides the port (default 3410). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3410);
export const E2E_ADMIN = { email: "admin@e2e.example", password: "e2e-admin-password-1234" } as const;
/** The webServer's AUDIT_ROOT_TOKEN (bootstrap a second org in specs). */
export const E2E_ROOT_TOKEN = "e2e-root-token-0123456789";
