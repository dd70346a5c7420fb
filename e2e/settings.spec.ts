import { expect, expectAccessible, snap, test } from "./fixtures";

test("integrity: verifying the whole chain reports it valid", async ({ page }) => {
  await page.goto("/integrity");
  await page.getByRole("button", { name: "Verify the whole chain" }).click();
  const result = page.getByTestId("integrity-result");
  await expect(result).toContainText("The chain verifies", { timeout: 30_000 });
  await expect(result).toContainText("Hash mismatches");
  await expectAccessible(page);
  await snap(page, "integrity");
});

test("tokens: mint (secret shown once) → it works → revoke → it is refused", async ({ page }) => {
  const name = `e2e writer ${Date.now().toString(36)}`;
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const box = page.getByTestId("new-token");
  await expect(box).toContainText("will not be shown again");
  const secret = (await box.locator("p.font-mono").innerText()).trim();
  expect(secret).toMatch(/^audt_/);
  const ingest = () =>
    page.request.post("/api/v1/audit/logs", {
      headers: { Authorization: `Bearer ${secret}` },
      data: { actor: { id: "svc", type: "service_account" }, action: "e2e.ping", resource: { type: "e2e", id: "1" } },
    });
  expect((await ingest()).status()).toBe(201);
  await expectAccessible(page);
  await snap(page, "settings-tokens");
  // An in-app confirmation (Radix alert dialog), not the browser's confirm().
  await page.getByRole("row", { name: new RegExp(name) }).getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("revoked");
  expect((await ingest()).status()).toBe(401);
});

test("a viewer cannot reach the tokens page", async ({ viewerPage }) => {
  await viewerPage.goto("/settings/tokens");
  await expect(viewerPage.getByTestId("forbidden")).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Create token" })).toHaveCount(0);
});
