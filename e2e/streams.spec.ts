import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { E2E_ROOT_TOKEN } from "./env";
import { expect, expectAccessible, snap, test } from "./fixtures";

/** A webhook receiver started by the test (plain HTTP on 127.0.0.1: the server runs with AUDIT_STREAMS_ALLOW_PRIVATE=1). */
async function startReceiver() {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const events = (got: { body: string }[]) => got.flatMap((d) => { const v = JSON.parse(d.body); return Array.isArray(v) ? (v as { action: string; seq: number }[]) : []; });

test("streams: create a webhook stream, send a test event, pause (lag grows), resume (delivered); an alert rule fires", async ({ page }) => {
  test.setTimeout(120_000);
  const rcv = await startReceiver();
  try {
    const token = (await (await page.request.post("/api/v1/admin/tokens", { headers: { Authorization: `Bearer ${E2E_ROOT_TOKEN}` }, data: { org: "acme", name: "e2e streams writer", scopes: ["audit:write"] } })).json()).token as string;
    const ingest = (action: string, n: number) =>
      page.request.post("/api/v1/audit/logs", {
        headers: { Authorization: `Bearer ${token}` },
        data: { events: Array.from({ length: n }, (_, i) => ({ actor: { id: "svc", type: "service_account" }, action, resource: { type: "e2e", id: String(i) } })) },
      });

    await page.goto("/settings/streams");
    await expect(page.getByRole("heading", { name: "Streams and alerts" })).toBeVisible();
    const name = `siem-${Date.now().toString(36)}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("URL").fill(rcv.url);
    await page.getByRole("button", { name: "Create stream" }).click();
    const secretBox = page.getByTestId("new-secret");
    await expect(secretBox).toContainText("will not be shown again");
    const secret = (await secretBox.locator("p.font-mono").innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    const row = page.getByTestId(`stream-${name}`);
    await expect(row.getByTestId("stream-status")).toHaveText("active");

    // Send a test event: it arrives at the receiver, signed.
    await row.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByText(`Test event delivered to ${name}`)).toBeVisible();
    const test1 = rcv.got.find((d) => d.headers["x-audit-test"] === "1")!;
    expect(JSON.parse(test1.body)[0].action).toBe("stream.test");
    expect(test1.headers["x-audit-signature"]).toBe(`sha256=${crypto.createHmac("sha256", secret).update(test1.body).digest("hex")}`);
    // The stream's own creation record is delivered by the worker.
    await expect.poll(() => events(rcv.got).some((e) => e.action === "stream.created"), { timeout: 30_000 }).toBe(true);
    await expectAccessible(page);
    await snap(page, "settings-streams");

    // Pause: events wait (lag shows them), resume: they arrive.
    await row.getByRole("button", { name: "Pause" }).click();
    await expect(row.getByTestId("stream-status")).toHaveText("paused");
    expect((await ingest("e2e.streamed", 25)).status()).toBe(201);
    await expect(row.getByTestId("stream-lag")).toContainText(/\b(2[5-9]|[3-9]\d|\d{3,}) events/, { timeout: 15_000 });
    expect(events(rcv.got).filter((e) => e.action === "e2e.streamed")).toHaveLength(0);
    await row.getByRole("button", { name: "Resume" }).click();
    await expect(row.getByTestId("stream-status")).toHaveText("active");
    await expect.poll(() => events(rcv.got).filter((e) => e.action === "e2e.streamed").length, { timeout: 30_000 }).toBe(25);
    await expect(row.getByTestId("stream-lag")).toContainText(/^0 events/, { timeout: 15_000 });
    const seqs = events(rcv.got).map((e) => e.seq).filter((s) => s > 0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // An alert rule through this stream's destination fires on a matching event.
    const rule = `e2e alarm ${Date.now().toString(36)}`;
    await page.getByLabel("Rule name").fill(rule);
    await page.getByLabel("At most one notification per (seconds)").fill("1");
    await page.getByLabel("Saved query").fill("action:e2e.alarm");
    await page.getByRole("form", { name: "Create an alert rule" }).getByRole("combobox").nth(1).selectOption({ label: name });
    await page.getByRole("button", { name: "Create alert rule" }).click();
    const ruleRow = page.getByTestId(`rule-${rule}`);
    await expect(ruleRow).toContainText("0 firings");
    expect((await ingest("e2e.alarm", 3)).status()).toBe(201);
    await expect.poll(() => rcv.got.some((d) => d.headers["x-audit-alert"] && JSON.parse(d.body).count === 3), { timeout: 30_000 }).toBe(true);
    const note = JSON.parse(rcv.got.find((d) => d.headers["x-audit-alert"])!.body);
    expect(note.link).toContain("/logs?q=action%3Ae2e.alarm");
    await expect(ruleRow.getByTestId("rule-firings")).toContainText("1 firing", { timeout: 15_000 });
    await snap(page, "settings-streams-alert");
  } finally {
    await rcv.close();
  }
});
