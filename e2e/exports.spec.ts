import fs from "node:fs";
import { parse } from "csv-parse/sync";
import yauzl from "yauzl";
import { expect, expectAccessible, snap, test } from "./fixtures";

function zipEntries(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, s) => {
          if (e || !s) return reject(e);
          const parts: Buffer[] = [];
          s.on("data", (d: Buffer) => parts.push(d));
          s.on("end", () => {
            out.set(entry.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        }),
      );
      zip.on("end", () => resolve(out));
      zip.readEntry();
    });
  });
}

test("a log export prefilled from the explorer's view: progress, completion toast, download with exactly that view", async ({ page }) => {
  // What the explorer's "Export this view" sends: its URL state.
  await page.goto("/exports?action=user.login&range=all&format=csv");
  await expect(page.getByTestId("prefilled")).toBeVisible();
  await expect(page.getByLabel("Action")).toHaveValue("user.login");
  await expect(page.getByRole("radio", { name: /CSV/ })).toBeChecked();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Start log export" }).click();

  const row = page.locator('[data-testid^="job-exp_"]').first();
  await expect(row).toBeVisible();
  await expect(row.getByRole("progressbar")).toBeVisible();
  await expect(row.locator('[data-testid^="status-"]')).toHaveText("completed", { timeout: 30_000 });
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByText(/^Export ready: audit-logs-exp_/)).toBeVisible();
  await snap(page, "exports-log-completed");

  const expected = await page.request.get("/api/v1/audit/logs?event_type=user.login&limit=1");
  const total = ((await expected.json()) as { pagination: { total: number } }).pagination.total;
  expect(total).toBeGreaterThan(10);
  await expect(row.getByText(total.toLocaleString("en-US"), { exact: true })).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: /Download/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-logs-exp_[0-9a-f]+\.csv$/);
  const rows = parse(fs.readFileSync((await download.path())!, "utf8"), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBe(total);
  expect(rows.every((r) => r.action === "user.login")).toBe(true);
  expect(new Set(rows.map((r) => r.id)).size).toBe(total);
});

test("an evidence package: built in the background, downloaded as a ZIP whose manifest hashes match", async ({ page }) => {
  await page.goto("/exports");
  await page.getByRole("tab", { name: "Evidence package" }).click();
  await page.getByLabel("Framework").selectOption("soc2");
  await page.getByLabel("Audit period from").fill("2000-01-01");
  await page.getByLabel("to (inclusive)").fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel("Fix records").uncheck();
  await page.getByRole("button", { name: "Build evidence package" }).click();

  // this job's row (its period starts 2000-01-01): earlier specs leave other completed jobs above it
  // until the list refreshes
  const row = page.locator('[data-testid^="job-export_"]').filter({ hasText: "2000-01-01" }).first();
  await expect(row.locator('[data-testid^="status-"]')).toHaveText("completed", { timeout: 60_000 });
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await snap(page, "exports-evidence-completed");
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: /Download/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^evidence-soc2-2000-01-01-to-\d{4}-\d{2}-\d{2}-export_[0-9a-f]+\.zip$/);
  const files = await zipEntries((await download.path())!);
  expect([...files.keys()].sort()).toEqual(
    [
      "README.md", "access_logs.jsonl", "compliance_reports.json", "configuration_history.jsonl", "events.jsonl", "issue_history.jsonl", "manifest.json", "scan_results.jsonl",
      "manifest.sig", "verification/checkpoint.txt", "verification/consistency.json", "verification/proof.json", "verification/public-key.txt",
    ].sort(),
  );
  const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8")) as { files: { name: string; sha256: string }[]; verification: { verified: boolean; logs_checked: number } };
  const crypto = await import("node:crypto");
  for (const f of manifest.files) expect(crypto.createHash("sha256").update(files.get(f.name)!).digest("hex")).toBe(f.sha256);
  expect(manifest.verification.verified).toBe(true);
  const lines = files.get("events.jsonl")!.toString("utf8").trimEnd().split("\n");
  expect(lines.length).toBe(manifest.verification.logs_checked);
});
