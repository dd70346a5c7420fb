import { expect, expectAccessible, snap, test } from "./fixtures";

test("home shows statistics, and a number opens the explorer filtered to it", async ({ page }) => {
  await page.goto("/");
  const total = page.getByTestId("kpi-total");
  await expect(total).toHaveText(/^[\d,]+$/);
  expect(Number((await total.textContent())!.replace(/,/g, ""))).toBeGreaterThan(100);
  const byType = page.getByTestId("by-type");
  await expect(byType.getByText("user.login", { exact: true })).toBeVisible();
  await expect(page.getByTestId("by-repository").getByText("acme/web-app")).toBeVisible();
  await expect(page.getByTestId("top-actors").locator("li")).not.toHaveCount(0);
  await expectAccessible(page);
  await snap(page, "home-statistics");
  await page.getByRole("button", { name: "All time" }).click();
  await expect(page).toHaveURL(/range=all/);
  await byType.getByRole("link", { name: /events: user\.login/ }).click();
  await expect(page).toHaveURL(/\/logs\?action=user\.login/);
});

test("history draws the score lines, the issues area and the fixes bars; filters and view live in the URL", async ({ page }) => {
  await page.goto("/history");
  const score = page.getByTestId("chart-score");
  await expect(score.locator("path.recharts-line-curve")).toHaveCount(4);
  await expect(page.getByTestId("chart-issues").locator("path.recharts-area-area")).toHaveCount(1);
  await expect(page.getByTestId("chart-fixes").locator(".recharts-bar-rectangle").first()).toBeVisible();
  // The demo's scores climb: the summary says so.
  await expect(page.getByTestId("summary-score-trend")).toHaveText("improving");
  // A tooltip on hover.
  const box = (await score.getByRole("application").boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await expect(score.locator(".recharts-tooltip-wrapper")).toContainText(/SOC 2/);
  await expectAccessible(page);
  await snap(page, "history-charts");

  await page.getByRole("button", { name: "month" }).click();
  await expect(page).toHaveURL(/interval=month/);
  await page.getByRole("combobox", { name: /^Framework/ }).selectOption("soc2");
  await expect(page).toHaveURL(/framework=soc2/);
  await expect(score.locator("path.recharts-line-curve")).toHaveCount(1);
  await page.getByRole("button", { name: "table" }).click();
  await expect(page).toHaveURL(/view=table/);
  const table = page.getByTestId("history-table");
  await expect(table.getByRole("columnheader", { name: "SOC 2 score" })).toBeVisible();
  expect(await table.locator("tbody tr").count()).toBeGreaterThanOrEqual(6);
  // The URL alone restores the same view.
  await page.reload();
  await expect(page.getByTestId("history-table")).toBeVisible();
  await expect(page.getByRole("combobox", { name: /^Framework/ })).toHaveValue("soc2");
  await snap(page, "history-table");
});

test("the retention form validates, saves (audited), and legal holds can be placed and released", async ({ page }) => {
  await page.goto("/settings/retention");
  const keep = page.getByLabel("Audit logs: keep for (days)");
  await expect(keep).toHaveValue("2555");
  await expectAccessible(page);
  // Invalid: archive after more days than kept → inline error, nothing saved.
  await page.getByLabel("Audit logs: archive after (days)").fill("5000");
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "must not exceed retention_days" })).toBeVisible();
  await page.getByLabel("Audit logs: archive after (days)").fill("400");
  await keep.fill("3000");
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText(/Retention policy saved/)).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Audit logs: keep for (days)")).toHaveValue("3000");
  await expect(page.getByLabel("Audit logs: archive after (days)")).toHaveValue("400");
  const audited = await page.request.get("/api/v1/audit/logs?event_type=retention.policy_updated");
  const body = await audited.json();
  expect(body.data[0].changes["audit_logs.retention_days"]).toEqual({ old: 2555, new: 3000 });

  await page.getByLabel("Scope").selectOption("repository");
  await page.getByLabel("Repository id").fill("repo_web");
  await page.getByLabel("Reason").fill("Litigation hold 2026-17");
  await page.getByRole("button", { name: "Place legal hold" }).click();
  const holds = page.getByTestId("legal-holds");
  await expect(holds.getByRole("row", { name: /Litigation hold 2026-17/ })).toContainText("active");
  await snap(page, "retention-settings");
  await holds.getByRole("button", { name: "Release hold: Litigation hold 2026-17" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Release" }).click();
  await expect(holds.getByRole("row", { name: /Litigation hold 2026-17/ })).toContainText("released");
});
