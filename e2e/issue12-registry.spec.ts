/**
 * Issue 12, the auditor's findings the query language and the registry own (1, 2, 3, 5), on the demo
 * data in Chromium: each fails on the dashboard before issue 12 (no outcome, `*` only at the end, OR
 * read as a word, silent empty results and exports, no key for the resource's name, sorting only the
 * loaded rows) and passes after. Screenshots at 1440×900 go to e2e/artifacts/issue12-registry-*.png.
 */
import type { Page } from "@playwright/test";
import { csrfToken, expect, snap, test } from "./fixtures";

test.use({ viewport: { width: 1440, height: 900 } });
// Several explorer round trips per test over 25 000 demo events: generous on a loaded machine.
test.setTimeout(240_000);

/** Types a query into the explorer's query box and applies it; waits for the list to answer. */
async function query(page: Page, q: string): Promise<void> {
  const box = page.getByRole("combobox", { name: /Query/ });
  await box.fill(q);
  const answered = page.waitForResponse((r) => r.url().includes("/api/v1/audit/explorer/events") && r.url().includes(encodeURIComponent(q).slice(0, 12)));
  await box.press("Enter");
  await answered;
  await expect(page.getByTestId("query-errors")).toHaveCount(0);
}

/** The explorer's answer for a query, through the same API the page uses. */
async function explore(page: Page, params: Record<string, string>) {
  const res = await page.request.get(`/api/v1/audit/explorer/events?${new URLSearchParams({ limit: "500", ...params })}`);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { data: { id: string; action: string; actor: { type: string }; outcome?: string; resource: { type: string; name?: string }; timestamp: string }[]; total: number; empty?: { culprit: string | null; suggestions: { q?: string }[] } };
}

test("finding 1: failed or denied actions by service accounts last week can be asked (outcome, * anywhere, OR)", async ({ page }) => {
  await page.goto("/logs?range=7d");
  await query(page, "actor_type:service_account (outcome:failure OR outcome:denied)");
  const rows = page.getByTestId("event-row");
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId("result-count")).toContainText(/event/);
  // The Outcome column shows what came of each action.
  await expect(page.getByRole("columnheader", { name: /Outcome/ })).toBeVisible();
  await expect(rows.first()).toContainText(/failure|denied/);
  await snap(page, "issue12-registry-finding1-outcome");
  const week = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const api = await explore(page, { q: "actor_type:service_account (outcome:failure OR outcome:denied)", from: week });
  expect(api.data.length).toBeGreaterThan(0);
  for (const e of api.data) {
    expect(e.actor.type).toBe("service_account");
    expect(["failure", "denied"]).toContain(e.outcome);
  }

  // `*` anywhere in a dotted value; OR between words.
  await page.goto("/logs?range=all");
  await query(page, "action:*.failed");
  await expect(rows.first()).toContainText("scan.failed");
  const failed = await explore(page, { q: "action:*.failed" });
  expect(failed.data.length).toBeGreaterThan(0);
  expect(failed.data.every((e) => e.action.endsWith(".failed"))).toBe(true);
  const either = await explore(page, { q: "outcome:failure OR outcome:denied" });
  const onlyFailure = await explore(page, { q: "outcome:failure" });
  expect(either.total).toBeGreaterThan(onlyFailure.total);
  await snap(page, "issue12-registry-finding1-wildcard");
});

test("finding 2: empty results say which clause eliminated everything and suggest the fix; exports refuse a repository name and warn before an empty file", async ({ page }) => {
  // A resource NAME typed into resource: (which means the type).
  await page.goto("/logs?range=all");
  await query(page, 'resource:"Block Critical Vulns"');
  const empty = page.getByTestId("empty-state");
  await expect(empty).toBeVisible();
  await expect(page.getByTestId("empty-culprit")).toHaveText('resource:"Block Critical Vulns"');
  const fix = empty.getByRole("button", { name: /resource_name:"Block Critical Vulns"/ });
  await expect(fix).toBeVisible();
  await snap(page, "issue12-registry-finding2-empty");
  await fix.click();
  await expect(page.getByTestId("event-row").first()).toContainText("Block Critical Vulns");

  // created: inside a time preset: the narrower wins, and the page says so.
  const old = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
  await page.goto("/logs?range=7d");
  await query(page, `created:<${old}`);
  await expect(page.getByTestId("empty-state")).toBeVisible();
  await expect(page.getByTestId("empty-state")).toContainText(/time range/i);

  // ip: with a CIDR block finds the demo's office network.
  const cidr = await explore(page, { q: "ip:203.0.113.0/24" });
  expect(cidr.data.length).toBeGreaterThan(0);

  // Exports: a repository name where the id goes is refused, naming the field and the id.
  await page.goto("/exports");
  const form = page.getByTestId("log-export-form");
  await form.getByLabel(/Repository/).fill("acme/web-app");
  await form.getByRole("button", { name: /Start log export/ }).click();
  await expect(form.getByRole("alert")).toContainText("repo_web");
  await snap(page, "issue12-registry-finding2-export");
  const headers = { "X-CSRF-Token": await csrfToken(page.request) };
  const refused = await page.request.post("/audit-logs/export", { data: { format: "csv", repositoryId: "acme/web-app" }, headers });
  expect(refused.status()).toBe(400);
  expect(await refused.text()).toContain("repositoryId");
  // …and an export that would be empty is announced before it is made.
  const preview = await page.request.post("/api/v1/exports/preview", { data: { format: "csv", repositoryId: "repo_web", from: "2001-01-01", to: "2001-02-01" }, headers });
  expect(preview.status()).toBe(200);
  expect(await preview.json()).toMatchObject({ data: { rows: 0, warnings: [{ code: "empty" }] } });
  // The repository picker's source: names → ids.
  const repos = await page.request.get("/api/v1/exports/repositories?q=web");
  expect(await repos.json()).toMatchObject({ data: [{ id: "repo_web", name: "acme/web-app" }] });
});

test("finding 3: resource_name: finds a resource by its name, exactly; resource: is documented as the type in autocomplete", async ({ page }) => {
  await page.goto("/logs?range=all");
  const box = page.getByRole("combobox", { name: /Query/ });
  await box.fill("resou");
  const list = page.getByRole("listbox");
  await expect(list.getByRole("option", { name: /resource:.*TYPE/ })).toBeVisible();
  await expect(list.getByRole("option", { name: /^resource_name:/ })).toBeVisible();
  await snap(page, "issue12-registry-finding3-autocomplete");
  await query(page, 'resource_name:"Block Critical Vulns"');
  const rows = page.getByTestId("event-row");
  await expect(rows.first()).toBeVisible();
  const byName = await explore(page, { q: 'resource_name:"Block Critical Vulns"' });
  expect(byName.data.length).toBeGreaterThan(0);
  expect(byName.data.every((e) => e.resource.name === "Block Critical Vulns")).toBe(true);
  // Free text over-matches (words anywhere), the key does not.
  const words = await explore(page, { q: '"Block Critical"' });
  expect(words.data.some((e) => e.resource.name !== "Block Critical Vulns")).toBe(true);
  await snap(page, "issue12-registry-finding3-resource-name");
});

test("finding 5: oldest first sorts the whole result on the server, not the loaded rows", async ({ page }) => {
  // The oldest demo entry, from the ComplianceAgent list (newest first): its last page.
  const first = await page.request.get("/api/v1/audit/logs?limit=1&page=1");
  const total = ((await first.json()) as { pagination: { total: number } }).pagination.total;
  const last = await page.request.get(`/api/v1/audit/logs?limit=1&page=${total}`);
  const oldest = ((await last.json()) as { data: { id: string }[] }).data[0]!.id;

  await page.goto("/logs?range=all");
  await expect(page.getByTestId("event-row").first()).toBeVisible({ timeout: 60_000 });
  await page.getByRole("columnheader", { name: /Time/ }).getByRole("button").click();
  await expect(page).toHaveURL(/sort=timestamp\.asc/);
  await expect(page.getByTestId("result-count")).toContainText("oldest first");
  await page.getByTestId("event-row").first().locator("td").first().click();
  await expect(page).toHaveURL(new RegExp(`entry=${oldest}`));
  await snap(page, "issue12-registry-finding5-oldest-first");
});
