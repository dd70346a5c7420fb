import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GENERATED_KEY_FILE, loadLogSigner, resetLogSignerForTests } from "@/lib/integrity/load-log-signer";
import { generateCosignerKey, generateSigner, openNote, signNote } from "@/lib/integrity/signed-note";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "log-signer-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  resetLogSignerForTests();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("loadLogSigner", () => {
  it("uses the given key; the origin defaults to the key's name, AUDIT_LOG_ORIGIN replaces it", () => {
    const k = generateSigner("audit.example.com/log");
    const lines: string[] = [];
    const s = loadLogSigner({ key: k.skey, log: (l) => lines.push(l) });
    expect(s).toMatchObject({ vkey: k.vkey, name: "audit.example.com/log", source: "env", originPrefix: "audit.example.com/log" });
    expect(s.origin("acme")).toBe("audit.example.com/log/acme");
    expect(lines.join("\n")).toContain(k.vkey);
    expect(lines.join("\n")).not.toContain(k.skey);
    const note = signNote({ text: "x\n", signer: s.signer });
    expect(openNote({ note, verifiers: [k.vkey] }).signatures[0]!.verified).toBe(true);
    resetLogSignerForTests();
    expect(loadLogSigner({ key: k.skey, origin: "logs.example.org", log: () => undefined }).origin("acme")).toBe("logs.example.org/acme");
  });

  it("reads a key file", () => {
    const k = generateSigner("file.example/log");
    const file = path.join(tmp(), "key");
    fs.writeFileSync(file, `${k.skey}\n`);
    const s = loadLogSigner({ keyFile: file, log: () => undefined });
    expect(s).toMatchObject({ vkey: k.vkey, source: "file", keyFile: file });
  });

  it("without a key generates one once into the data directory (0600), says it is not for production, and reuses it", () => {
    const dir = path.join(tmp(), "data");
    const first: string[] = [];
    const a = loadLogSigner({ dataDir: dir, log: (l) => first.push(l) });
    const file = path.join(dir, GENERATED_KEY_FILE);
    expect(a).toMatchObject({ source: "generated", keyFile: file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first[0]).toMatch(/generated .*log-signing-key.*Production must supply its own.*same key/);
    resetLogSignerForTests();
    const again: string[] = [];
    const b = loadLogSigner({ dataDir: dir, log: (l) => again.push(l) });
    expect(b.vkey).toBe(a.vkey);
    expect(again[0]).toMatch(/using the generated key/);
    expect(fs.readdirSync(dir)).toEqual([GENERATED_KEY_FILE]); // no temporary file left behind
  });

  it("refuses a malformed key, naming where it came from, and a cosigner (0x04) key", () => {
    expect(() => loadLogSigner({ key: "PRIVATE+KEY+x+00000000+AAAA", log: () => undefined })).toThrow(/AUDIT_LOG_SIGNING_KEY/);
    const file = path.join(tmp(), "bad");
    fs.writeFileSync(file, "not a key\n");
    expect(() => loadLogSigner({ keyFile: file, log: () => undefined })).toThrow(/AUDIT_LOG_SIGNING_KEY_FILE/);
    expect(() => loadLogSigner({ keyFile: path.join(tmp(), "missing"), log: () => undefined })).toThrow(/cannot read/);
    expect(() => loadLogSigner({ key: generateCosignerKey("witness.example").skey, log: () => undefined })).toThrow(/Ed25519/);
  });
});
