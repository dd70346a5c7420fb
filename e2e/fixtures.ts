import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./env";

export { expect };
export type Role = "admin" | "auditor" | "viewer";
export interface Credentials {
  email: string;
  password: string;
}

/** Signs a browser context in through the API (the cookie lands in the page's context). */
export async function signIn(page: Page, creds: Credentials = E2E_ADMIN): Promise<void> {
  const res = await page.request.post("/api/v1/auth/sign-in", { data: { email: creds.email, password: creds.password } });
  expect(res.status(), await res.text()).toBe(200);
}

/** The CSRF token of a signed-in context (from its audit_csrf cookie), for API writes in tests. */
export async function csrfToken(request: APIRequestContext): Promise<string> {
  const state = await request.storageState();
  const c = state.cookies.find((x) => x.name === "audit_csrf");
  if (!c) throw new Error("not signed in: no audit_csrf cookie");
  return c.value;
}

/** Creates a user with `role` in the admin's org (acme) through the admin API and returns their credentials. */
export async function createUser(adminPage: Page, role: Role): Promise<Credentials> {
  const email = `${role}-${crypto.randomBytes(4).toString("hex")}@e2e.example`;
  const password = `pw-${crypto.randomBytes(9).toString("hex")}`;
  const res = await adminPage.request.post("/api/v1/admin/users", {
    data: { email, name: `E2E ${role}`, password, role },
    headers: { "X-CSRF-Token": await csrfToken(adminPage.request) },
  });
  expect(res.status(), await res.text()).toBe(201);
  return { email, password };
}

/** Full-page screenshot saved as a test artifact under e2e/artifacts/<name>.png and attached to the report. */
export async function snap(page: Page, name: string): Promise<void> {
  const dir = path.join(process.cwd(), "e2e", "artifacts");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await base.info().attach(name, { path: file, contentType: "image/png" });
}

/** Fails on any serious or critical axe-core violation of the current page. */
export async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const where = new URL(page.url()).pathname;
  expect(bad.map((v) => `${where}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} ${n.html.slice(0, 120)}`).join(" | ")}`)).toEqual([]);
}

/**
 * `test` with signed-in pages:
 *  - `page`: signed in as the e2e admin (AUDIT_ADMIN_EMAIL of the webServer);
 *  - `viewerPage` / `auditorPage`: a fresh user of that role in org acme, signed in, in its own context.
 */
export const test = base.extend<{ viewerPage: Page; auditorPage: Page }>({
  page: async ({ page }, use) => {
    await signIn(page);
    await use(page);
  },
  viewerPage: async ({ browser, page }, use) => {
    const creds = await createUser(page, "viewer");
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await signIn(p, creds);
    await use(p);
    await ctx.close();
  },
  auditorPage: async ({ browser, page }, use) => {
    const creds = await createUser(page, "auditor");
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await signIn(p, creds);
    await use(p);
    await ctx.close();
  },
});
