import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orgs from "@/app/api/v1/admin/orgs/route";
import * as tokens from "@/app/api/v1/admin/tokens/route";
import * as checkpoint from "@/app/api/v1/audit/checkpoint/route";
import * as cosignatures from "@/app/api/v1/audit/checkpoint/cosignatures/route";
import * as consistency from "@/app/api/v1/audit/consistency/route";
import * as logs from "@/app/api/v1/audit/logs/route";
import * as proof from "@/app/api/v1/audit/logs/[id]/proof/route";
import * as publicKey from "@/app/api/v1/audit/public-key/route";
import { resetConfigForTests } from "@/lib/config";
import { getDatabase } from "@/lib/db/get-database";
import { parseCheckpoint } from "@/lib/integrity/checkpoint";
import { cosignCheckpoint } from "@/lib/integrity/cosignature";
import { fromHex } from "@/lib/integrity/encoding";
import { resetLogSignerForTests } from "@/lib/integrity/load-log-signer";
import { verifyConsistency, verifyInclusion } from "@/lib/integrity/merkle";
import { addSignatureLines } from "@/lib/integrity/note-format";
import { generateCosignerKey, generateSigner, openNote } from "@/lib/integrity/signed-note";
import { call, ROOT_TOKEN, useScratchApp } from "../support/api-client";
import { sampleEvent, TEST_DB } from "../support/test-database";

const logKey = generateSigner("api.test.example/log");
const witness = generateCosignerKey("witness.test.example");
const stranger = generateCosignerKey("stranger.test.example");

let app: { close(): Promise<void> };
let admin: string;
let reader: string;
let writerOnly: string;
let other: string;

async function mint(org: string, scopes: string[]) {
  const r = await call(tokens.POST, "POST", "/api/v1/admin/tokens", { token: ROOT_TOKEN, body: { org, name: `t-${scopes.join("+")}`, scopes } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

const ingest = async (token: string, from: number, n: number) => {
  const r = await call(logs.POST, "POST", "/api/v1/audit/logs", { token, body: { events: Array.from({ length: n }, (_, i) => sampleEvent(from + i)) } });
  expect(r.status).toBe(201);
};

const getCp = async (token: string, size?: number) => {
  const r = await call(checkpoint.GET, "GET", `/api/v1/audit/checkpoint${size === undefined ? "" : `?size=${size}`}`, { token });
  return r;
};

beforeAll(async () => {
  process.env.AUDIT_LOG_SIGNING_KEY = logKey.skey;
  process.env.AUDIT_WITNESS_KEYS = `${witness.vkey}, ${generateCosignerKey("other-witness").vkey}`;
  delete process.env.AUDIT_LOG_ORIGIN;
  resetConfigForTests();
  resetLogSignerForTests();
  app = await useScratchApp();
  expect((await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "vlog" } })).status).toBe(201);
  expect((await call(orgs.POST, "POST", "/api/v1/admin/orgs", { token: ROOT_TOKEN, body: { slug: "vlog-other" } })).status).toBe(201);
  admin = await mint("vlog", ["audit:read", "audit:write", "admin"]);
  reader = await mint("vlog", ["audit:read"]);
  writerOnly = await mint("vlog", ["audit:write"]);
  other = await mint("vlog-other", ["audit:read", "audit:write"]);
  await ingest(admin, 0, 10);
  await ingest(admin, 10, 40);
  await ingest(admin, 50, 27);
  await ingest(other, 0, 3);
});
afterAll(async () => {
  await app?.close();
  delete process.env.AUDIT_LOG_SIGNING_KEY;
  delete process.env.AUDIT_WITNESS_KEYS;
  resetConfigForTests();
  resetLogSignerForTests();
});

describe(`verifiable log API (${TEST_DB})`, () => {
  it("serves the verifier key and the latest signed checkpoint (text/plain), origin = key name + org slug", async () => {
    const k = await call(publicKey.GET, "GET", "/api/v1/audit/public-key", { token: reader });
    expect(k.status).toBe(200);
    expect(k.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(k.body).toBe(`${logKey.vkey}\n`);
    const r = await getCp(reader);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    const opened = openNote({ note: r.body, verifiers: [logKey.vkey] });
    expect(opened.signatures.filter((s) => s.verified).map((s) => s.name)).toEqual(["api.test.example/log"]);
    const cp = parseCheckpoint(opened.text);
    // the org's log also holds the service's own records (token minting), so ≥ 77
    expect(cp.size).toBeGreaterThanOrEqual(77);
    expect(cp.origin).toBe("api.test.example/log/vlog");
    const o = parseCheckpoint(openNote({ note: (await getCp(other)).body, verifiers: [logKey.vkey] }).text);
    expect(o.origin).toBe("api.test.example/log/vlog-other");
  });

  it("?size= answers that stored checkpoint, 404 for a size never signed, 400 naming a bad size", async () => {
    const latest = parseCheckpoint(openNote({ note: (await getCp(reader)).body, verifiers: [] }).text);
    const sizes = (await (await getDatabase()).sql.query<{ tree_size: number }>(`SELECT tree_size FROM audit_checkpoints c JOIN orgs o ON o.id = c.org_id WHERE o.slug = 'vlog' ORDER BY tree_size`)).map((r) => Number(r.tree_size));
    expect(sizes.length).toBeGreaterThan(3);
    const mid = sizes[Math.floor(sizes.length / 2)]!;
    const r = await getCp(reader, mid);
    expect(r.status).toBe(200);
    expect(parseCheckpoint(openNote({ note: r.body, verifiers: [] }).text).size).toBe(mid);
    const missing = [...Array(latest.size).keys()].find((s) => s > 0 && !sizes.includes(s))!;
    expect((await getCp(reader, missing)).status).toBe(404);
    const bad = await call(checkpoint.GET, "GET", "/api/v1/audit/checkpoint?size=abc", { token: reader });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("size");
    expect((await getCp(writerOnly)).status).toBe(403);
  });

  it("inclusion proofs from the API verify against the signed checkpoint, default and explicit tree_size", async () => {
    const latest = parseCheckpoint(openNote({ note: (await getCp(reader)).body, verifiers: [logKey.vkey] }).text);
    for (const id of ["ev-0", "ev-9", "ev-10", "ev-33", "ev-76"]) {
      const r = await call(proof.GET, "GET", `/api/v1/audit/logs/${id}/proof`, { token: reader, params: { id } });
      expect(r.status).toBe(200);
      expect(r.body.tree_size).toBe(latest.size);
      expect(r.body.leaf_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(verifyInclusion({ index: r.body.leaf_index, size: r.body.tree_size, leafHash: fromHex(r.body.leaf_hash)!, proof: r.body.hashes.map((h: string) => fromHex(h)!), root: latest.rootHash })).toBe(true);
    }
    const sizes = (await (await getDatabase()).sql.query<{ tree_size: number }>(`SELECT tree_size FROM audit_checkpoints c JOIN orgs o ON o.id = c.org_id WHERE o.slug = 'vlog' ORDER BY tree_size`)).map((r) => Number(r.tree_size));
    const older = sizes.find((s) => s >= 40)!;
    const cp = parseCheckpoint(openNote({ note: (await getCp(reader, older)).body, verifiers: [logKey.vkey] }).text);
    const r = await call(proof.GET, "GET", `/api/v1/audit/logs/ev-5/proof?tree_size=${older}`, { token: reader, params: { id: "ev-5" } });
    expect(r.status).toBe(200);
    expect(verifyInclusion({ index: r.body.leaf_index, size: older, leafHash: fromHex(r.body.leaf_hash)!, proof: r.body.hashes.map((h: string) => fromHex(h)!), root: cp.rootHash })).toBe(true);

    const beyond = await call(proof.GET, "GET", `/api/v1/audit/logs/ev-5/proof?tree_size=${latest.size + 1}`, { token: reader, params: { id: "ev-5" } });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.field).toBe("tree_size");
    const tooSmall = await call(proof.GET, "GET", `/api/v1/audit/logs/ev-76/proof?tree_size=3`, { token: reader, params: { id: "ev-76" } });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.error.field).toBe("tree_size");
    expect((await call(proof.GET, "GET", `/api/v1/audit/logs/ev-5/proof?tree_size=x`, { token: reader, params: { id: "ev-5" } })).body.error.field).toBe("tree_size");
    expect((await call(proof.GET, "GET", `/api/v1/audit/logs/nope/proof`, { token: reader, params: { id: "nope" } })).status).toBe(404);
    // another org's entry answers like a missing one (the other org has its own ev-1, in its own tree)
    const theirs = await call(proof.GET, "GET", `/api/v1/audit/logs/ev-50/proof`, { token: other, params: { id: "ev-50" } });
    expect(theirs.status).toBe(404);
  });

  it("consistency proofs from the API verify between old and new checkpoints; bad pairs are 400 naming the parameter", async () => {
    const sizes = (await (await getDatabase()).sql.query<{ tree_size: number }>(`SELECT tree_size FROM audit_checkpoints c JOIN orgs o ON o.id = c.org_id WHERE o.slug = 'vlog' ORDER BY tree_size`)).map((r) => Number(r.tree_size));
    const roots = new Map<number, Uint8Array>();
    for (const s of sizes) roots.set(s, parseCheckpoint(openNote({ note: (await getCp(reader, s)).body, verifiers: [logKey.vkey] }).text).rootHash);
    let checked = 0;
    for (let i = 0; i < sizes.length; i++) {
      for (const j of [i, i + 1, sizes.length - 1]) {
        if (j >= sizes.length) continue;
        const [first, second] = [sizes[i]!, sizes[j]!];
        const r = await call(consistency.GET, "GET", `/api/v1/audit/consistency?first=${first}&second=${second}`, { token: reader });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ first, second });
        expect(verifyConsistency({ first, second, firstRoot: roots.get(first)!, secondRoot: roots.get(second)!, proof: r.body.hashes.map((h: string) => fromHex(h)!) })).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(sizes.length);
    const latest = sizes[sizes.length - 1]!;
    for (const [q, field] of [
      [`first=20&second=10`, "first"],
      [`first=1&second=${latest + 1}`, "second"],
      [`first=0&second=5`, "first"],
      [`first=x&second=5`, "first"],
      [`first=1`, "second"],
      [`first=1&second=1.5`, "second"],
    ] as const) {
      const r = await call(consistency.GET, "GET", `/api/v1/audit/consistency?${q}`, { token: reader });
      expect(r.status, q).toBe(400);
      expect(r.body.error.field, q).toBe(field);
    }
  });

  it("accepts witness cosignatures (a line or a note) from configured witnesses, serves them with the checkpoint, refuses others", async () => {
    const note = (await getCp(reader)).body as string;
    const size = parseCheckpoint(openNote({ note, verifiers: [] }).text).size;
    const line = cosignCheckpoint({ checkpointNote: note, signer: witness.skey, time: new Date("2026-11-28T10:00:00Z") });
    expect((await call(cosignatures.POST, "POST", "/api/v1/audit/checkpoint/cosignatures", { token: reader, body: { cosignature: line } })).status).toBe(403);
    const r = await call(cosignatures.POST, "POST", "/api/v1/audit/checkpoint/cosignatures", { token: admin, body: { tree_size: size, cosignature: line } });
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({ tree_size: size, already_present: 0, added: [{ name: "witness.test.example", timestamp: "2026-11-28T10:00:00Z" }] });
    const again = await call(cosignatures.POST, "POST", "/api/v1/audit/checkpoint/cosignatures", { token: admin, body: { tree_size: size, cosignature: line } });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ added: [], already_present: 1 });

    const served = (await getCp(reader, size)).body as string;
    const opened = openNote({ note: served, verifiers: [logKey.vkey, witness.vkey] });
    expect(opened.signatures.map((s) => [s.name, s.verified])).toEqual([
      ["api.test.example/log", true],
      ["witness.test.example", true],
    ]);

    // a note carrying the log's signature and a witness line, for an older checkpoint
    const sizes = (await (await getDatabase()).sql.query<{ tree_size: number }>(`SELECT tree_size FROM audit_checkpoints c JOIN orgs o ON o.id = c.org_id WHERE o.slug = 'vlog' ORDER BY tree_size`)).map((r) => Number(r.tree_size));
    const older = (await getCp(reader, sizes[1]!)).body as string;
    const withWitness = addSignatureLines(older, [cosignCheckpoint({ checkpointNote: older, signer: witness.skey, time: 1_790_000_000 })]);
    const n = await call(cosignatures.POST, "POST", "/api/v1/audit/checkpoint/cosignatures", { token: admin, body: { note: withWitness } });
    expect(n.status).toBe(201);
    expect(n.body.data.tree_size).toBe(sizes[1]);

    const refusals: Array<[unknown, string, RegExp]> = [
      [{ cosignature: cosignCheckpoint({ checkpointNote: note, signer: stranger.skey, time: 1 }) }, "cosignature", /no configured witness/],
      [{ tree_size: sizes[0], cosignature: line }, "cosignature", /does not verify/],
      [{ cosignature: "— witness.test.example AAAA" }, "cosignature", /does not verify/],
      [{ note: withWitness.replace(/\n\d+\n/, `\n${sizes[1]! + 1}\n`) }, "note", /.+/],
      [{ note: older }, "note", /no witness cosignature/],
      [{ cosignature: line, note: withWitness }, "cosignature", /exactly one/],
      [{ tree_size: 999_999, cosignature: line }, "tree_size", /no checkpoint/],
      [{ cosignature: line, extra: 1 }, "extra", /unknown field/],
    ];
    for (const [body, field, message] of refusals) {
      const x = await call(cosignatures.POST, "POST", "/api/v1/audit/checkpoint/cosignatures", { token: admin, body });
      expect(x.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(x.body.error.field).toBe(field);
      expect(x.body.error.message).toMatch(message);
    }
    const db = await getDatabase();
    const stored = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_checkpoint_cosignatures`);
    expect(stored[0]!.n).toBe(2);
    const audited = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'checkpoint.cosigned'`);
    expect(audited[0]!.n).toBe(2);
  });
});
