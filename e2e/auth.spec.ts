import { test as plain } from "@playwright/test";
import { E2E_ADMIN } from "./env";
import { expect, expectAccessible, snap, test } from "./fixtures";

plain("sign in through the form, then sign out", async ({ page }) => {
  await page.goto("/logs");
  await expect(page).toHaveURL(/\/login/);
  await expectAccessible(page);
  await snap(page, "login");
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("wrong-password-entirely");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("email or password is wrong")).toBeVisible();
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/logs/);
  await expect(page.getByTestId("user-email")).toHaveText(E2E_ADMIN.email);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/logs");
  await expect(page).toHaveURL(/\/login/);
});

plain("the API refuses a cookie write without the CSRF token", async ({ page }) => {
  const res = await page.request.post("/api/v1/auth/sign-in", { data: E2E_ADMIN });
  expect(res.status()).toBe(200);
  const noCsrf = await page.request.post("/api/v1/auth/sign-out");
  expect(noCsrf.status()).toBe(403);
  expect((await noCsrf.json()).error.field).toBe("x-csrf-token");
  const me = await page.request.get("/api/v1/me");
  expect(me.status()).toBe(200);
  expect((await me.json()).data.role).toBe("admin");
});

test("a viewer cannot reach admin pages or the admin API", async ({ viewerPage }) => {
  await viewerPage.goto("/settings");
  await expect(viewerPage.getByTestId("forbidden")).toBeVisible();
  await expect(viewerPage.getByTestId("user-role")).toHaveText("viewer");
  await snap(viewerPage, "viewer-settings-forbidden");
  await viewerPage.goto("/settings/users");
  await expect(viewerPage.getByTestId("forbidden")).toBeVisible();
  const api = await viewerPage.request.get("/api/v1/admin/users");
  expect(api.status()).toBe(403);
});

test("shell pages render and are accessible", async ({ page }) => {
  for (const [path, heading] of [["/", "Overview"], ["/history", "History"], ["/exports", "Exports"], ["/integrity", "Integrity"], ["/settings", "Settings"], ["/settings/users", "Users"], ["/settings/tokens", "API tokens"], ["/settings/retention", "Retention"]] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expectAccessible(page);
  }
  await page.goto("/settings/users");
  await expect(page.getByRole("cell", { name: E2E_ADMIN.email, exact: true })).toBeVisible();
  await snap(page, "settings-users");
});
