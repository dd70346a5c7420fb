import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, expectAccessible, snap, test } from "./fixtures";

const run = promisify(execFile);

/** `npx audit-trail verify …` as an auditor runs it (the package's bin, through npx). */
async function verifyOffline(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const r = await run("npx", ["--offline", "audit-trail", "verify", ...args], { cwd: process.cwd(), timeout: 120_000 });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

test("verifiable log: the entry page's ✓ from the in-browser proof check, the latest checkpoint downloaded from /integrity, an evidence ZIP verified offline (exit 0) and a one-byte change caught (non-zero)", async ({ page }) => {
  test.setTimeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-verifiable-"));

  // An entry: its inclusion proof + the signed checkpoint + the log key, checked with WebCrypto in the page.
  const list = await page.request.get("/api/v1/audit/logs?limit=1");
  const id = ((await list.json()) as { data: { id: string }[] }).data[0]!.id;
  await page.goto(`/logs/${encodeURIComponent(id)}`);
  const result = page.getByTestId("inclusion-result");
  await expect(result).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
  await expect(result).toContainText("✓ Verified in your browser");
  await expect(page.getByTestId("inclusion-tree-size")).toHaveText(/^\d+$/);
  await snap(page, "integrity-entry-proof");
  await expectAccessible(page);

  // /integrity: what was checked, the latest checkpoint (downloaded), past verifications, the docs link.
  await page.goto("/integrity");
  await expect(page.getByRole("heading", { name: "Latest checkpoint" })).toBeVisible();
  await expect(page.getByTestId("latest-checkpoint")).toContainText("✓ Signature by the log key verified in your browser", { timeout: 20_000 });
  await page.getByRole("button", { name: "Verify the whole chain" }).click();
  await expect(page.getByTestId("integrity-result")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("past-verifications")).toBeVisible({ timeout: 20_000 });
  const [cpDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-checkpoint").click()]);
  expect(cpDownload.suggestedFilename()).toMatch(/^checkpoint-acme-\d+\.txt$/);
  const checkpointFile = path.join(dir, cpDownload.suggestedFilename());
  await cpDownload.saveAs(checkpointFile);
  const checkpoint = fs.readFileSync(checkpointFile, "utf8");
  expect(checkpoint).toMatch(/^[^\n]+\/acme\n\d+\n[A-Za-z0-9+/=]{44}\n\n— /);
  await expect(page.getByRole("link", { name: "integrity documentation" })).toHaveAttribute("href", "/docs/integrity");
  await snap(page, "integrity-page");
  await expectAccessible(page);
  const keyRes = await page.request.get("/api/v1/audit/public-key");
  const vkey = (await keyRes.text()).trim();

  // An evidence package, built and downloaded from the export center.
  await page.goto("/exports");
  await page.getByRole("tab", { name: "Evidence package" }).click();
  await page.getByLabel("Framework").selectOption("soc2");
  await page.getByLabel("Audit period from").fill("2000-01-01");
  await page.getByLabel("to (inclusive)").fill(new Date().toISOString().slice(0, 10));
  // The job this test creates (earlier specs may have left completed packages in the list).
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/audit/evidence/export") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Build evidence package" }).click(),
  ]);
  expect(created.status()).toBe(202);
  const jobId = ((await created.json()) as { data: { job_id: string } }).data.job_id;
  const row = page.getByTestId(`job-${jobId}`);
  await expect(row.locator('[data-testid^="status-"]')).toHaveText("completed", { timeout: 120_000 });
  const [zipDownload] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: /Download/ }).click()]);
  const zipFile = path.join(dir, zipDownload.suggestedFilename());
  await zipDownload.saveAs(zipFile);

  // Offline, as an auditor: exit 0 with the key pinned.
  const ok = await verifyOffline([zipFile, "--key", vkey]);
  expect(ok.stdout).toMatch(/RESULT: VERIFIED/);
  expect(ok.code).toBe(0);

  // With the checkpoint kept from /integrity: the package's tree is larger (the export itself was
  // logged), so a consistency proof is needed; the verifier names the API call, and with its answer passes.
  const missing = await verifyOffline([zipFile, "--key", vkey, "--checkpoint", checkpointFile]);
  expect(missing.code).toBe(1);
  const call = /GET (\/api\/v1\/audit\/consistency\?first=\d+&second=\d+)/.exec(missing.stdout);
  expect(call, missing.stdout).not.toBeNull();
  const proofRes = await page.request.get(call![1]!);
  expect(proofRes.status()).toBe(200);
  const proofFile = path.join(dir, "consistency.json");
  fs.writeFileSync(proofFile, await proofRes.text());
  const consistent = await verifyOffline([zipFile, "--key", vkey, "--checkpoint", checkpointFile, "--consistency-proof", proofFile]);
  expect(consistent.stdout).toMatch(/extends the saved checkpoint/);
  expect(consistent.code).toBe(0);

  // One byte changed in a copy: non-zero, naming what.
  const bytes = fs.readFileSync(zipFile);
  const copy = Buffer.from(bytes);
  copy[Math.floor(copy.length / 2)]! ^= 0x20;
  const tampered = path.join(dir, "tampered.zip");
  fs.writeFileSync(tampered, copy);
  const bad = await verifyOffline([tampered, "--key", vkey]);
  expect(bad.stdout).toMatch(/RESULT: FAILED/);
  expect(bad.code).toBe(1);
  fs.writeFileSync(path.join(process.cwd(), "e2e", "artifacts", "integrity-verifier-output.txt"), `${ok.stdout}\n---\n${consistent.stdout}\n---\n${bad.stdout}`);
  fs.rmSync(dir, { recursive: true, force: true });
});
