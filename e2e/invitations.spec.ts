import crypto from "node:crypto";
import { E2E_ROOT_TOKEN } from "./env";
import { expect, expectAccessible, signIn, snap, test } from "./fixtures";

test("adding another org's user shows an invitation link once; that user joins after signing in (issue 10, defect 3)", async ({ page, browser }) => {
  // A user of another org ("gamma-…"), created by that org's admin.
  const slug = `gamma-${crypto.randomBytes(3).toString("hex")}`;
  const root = { Authorization: `Bearer ${E2E_ROOT_TOKEN}` };
  expect((await page.request.post("/api/v1/admin/orgs", { headers: root, data: { slug, name: `Gamma ${slug}` } })).status()).toBe(201);
  const tok = await page.request.post("/api/v1/admin/tokens", { headers: root, data: { org: slug, name: "gamma admin", scopes: ["admin"] } });
  const { token } = (await tok.json()) as { token: string };
  const other = { email: `olga-${crypto.randomBytes(3).toString("hex")}@gamma.example`, password: `pw-${crypto.randomBytes(9).toString("hex")}` };
  const made = await page.request.post("/api/v1/admin/users", { headers: { Authorization: `Bearer ${token}` }, data: { ...other, name: "Olga", role: "admin" } });
  expect(made.status(), await made.text()).toBe(201);

  // acme's admin adds her by email in Settings → Users: an invitation, not a member.
  await page.goto("/settings/users");
  await page.getByLabel("Email").fill(other.email);
  await page.getByLabel("Name").fill("Someone else's name");
  await page.getByLabel("Initial password").fill("not-her-password-123");
  // the add-user form's role (each row of the table has its own "Role of <email>" select now)
  await page.getByRole("region", { name: "Add a user" }).getByLabel("Role").selectOption("auditor");
  await page.getByRole("button", { name: "Add user" }).click();
  const link = page.getByLabel("Invitation link");
  await expect(link).toHaveValue(/\/invitations\/inv_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole("cell", { name: other.email, exact: true })).toHaveCount(0);
  // (the toast fades in and out: check the page once it is gone)
  await expect(page.getByText("already has an account: invitation created")).toBeHidden({ timeout: 15_000 });
  await expectAccessible(page);
  await snap(page, "users-invitation-link");
  const url = new URL(await link.inputValue());

  // Olga opens the link, signs in as herself, and joins acme as auditor.
  const ctx = await browser.newContext();
  const olga = await ctx.newPage();
  await olga.goto(url.pathname);
  await expect(olga.getByRole("link", { name: "Sign in" })).toBeVisible();
  await signIn(olga, other);
  await olga.goto(url.pathname);
  await expect(olga.getByRole("heading", { name: "Join Acme" })).toBeVisible();
  await expectAccessible(olga);
  await olga.getByRole("button", { name: /^Join / }).click();
  await olga.waitForURL(/\/logs/);
  await expect(olga.getByTestId("user-role")).toHaveText("auditor");
  await ctx.close();

  await page.reload();
  await expect(page.getByRole("cell", { name: other.email, exact: true })).toBeVisible();
});
