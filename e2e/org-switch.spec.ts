import crypto from "node:crypto";
import { E2E_ADMIN, E2E_ROOT_TOKEN } from "./env";
import { expect, test } from "./fixtures";

test("a user in two orgs switches between them; data and role follow the org", async ({ page }) => {
  // Bootstrap org "beta-…" with the root token; its admin invites the e2e admin (an existing account:
  // never attached directly) as a viewer, and the e2e admin accepts the link signed in.
  const slug = `beta-${crypto.randomBytes(3).toString("hex")}`;
  const root = { Authorization: `Bearer ${E2E_ROOT_TOKEN}` };
  expect((await page.request.post("/api/v1/admin/orgs", { headers: root, data: { slug, name: `Beta ${slug}` } })).status()).toBe(201);
  const tok = await page.request.post("/api/v1/admin/tokens", { headers: root, data: { org: slug, name: "beta admin", scopes: ["admin"] } });
  const { token } = (await tok.json()) as { token: string };
  const add = await page.request.post("/api/v1/admin/users", {
    headers: { Authorization: `Bearer ${token}` },
    data: { email: E2E_ADMIN.email, name: "ignored for an existing user", password: "ignored-for-existing-user", role: "viewer" },
  });
  expect(add.status(), await add.text()).toBe(202);
  const { data } = (await add.json()) as { data: { status: string; invitation: { accept_path: string } } };
  expect(data.status).toBe("invited");
  await page.goto(data.invitation.accept_path);
  await expect(page.getByRole("heading", { name: `Join Beta ${slug}` })).toBeVisible();
  await page.getByRole("button", { name: `Join Beta ${slug}` }).click();
  await page.waitForURL(/\/logs/);
  await expect(page.getByTestId("user-role")).toHaveText("viewer");
  await page.getByLabel("Organization").selectOption("acme");
  await expect(page.getByTestId("user-role")).toHaveText("admin");

  await page.goto("/logs?range=all");
  await expect(page.getByTestId("user-role")).toHaveText("admin");
  const acmeTotal = await page.getByTestId("result-count").innerText();
  await page.getByLabel("Organization").selectOption(slug);
  await expect(page.getByTestId("user-role")).toHaveText("viewer");
  await expect(page.getByTestId("result-count")).not.toHaveText(acmeTotal);
  // Beta's log holds only its own bootstrap: org.created, the invitation and its acceptance.
  await expect(page.getByTestId("event-row").filter({ hasText: "org.created" })).toHaveCount(1);
  await page.goto("/settings");
  await expect(page.getByTestId("forbidden")).toBeVisible();
  await page.getByLabel("Organization").selectOption("acme");
  await expect(page.getByTestId("user-role")).toHaveText("admin");
});
