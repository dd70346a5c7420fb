import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCheckpoint, parseCheckpoint } from "@/lib/integrity/checkpoint";
import {
  checkCosignatureLine,
  cosignCheckpoint,
  cosignatureMessage,
  cosignatureTimestamp,
  generateCosignerKey,
  parseCosignerKey,
  verifyCosignature,
} from "@/lib/integrity/cosignature";
import { fromBase64, toBase64, toHex } from "@/lib/integrity/encoding";
import { addSignatureLines } from "@/lib/integrity/note-format";
import { openCheckpoint } from "@/lib/integrity/open-checkpoint";
import { generateSigner, openNote, parseSignerKey, parseVerifierKey, requireVerifiedNote, signNote } from "@/lib/integrity/signed-note";
import v from "./vectors/signed-note-vectors.json";

const go = v.golangNote;

/** Every proper substring and every one-character increment of a key (golang.org/x/mod/sumdb/note TestNewVerifier/TestNewSigner). */
function manglings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
  for (let i = 0; i < key.length; i++) out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  return out;
}

const flipBase64Bit = (b64: string, bit: number): string => {
  const raw = fromBase64(b64)!;
  raw[Math.floor(bit / 8) % raw.length]! ^= 1 << bit % 8;
  return toBase64(raw);
};

describe("signed-note: golang.org/x/mod/sumdb/note vectors", () => {
  it("the signer key gives the published verifier key and signs to the published note", () => {
    const signer = parseSignerKey(go.peterSkey);
    expect(signer.vkey).toBe(go.peterVkey);
    expect(signer.keyIdHex).toBe("c74f20a3");
    expect(signNote({ text: go.text, signer: go.peterSkey })).toBe(go.signedByPeter);
  });

  it("opens with one known key: that signature verified, the other kept as unknown", () => {
    const n = openNote({ note: go.text + "\n" + go.peterSig + go.enochSig, verifiers: [go.peterVkey] });
    expect(n.text).toBe(go.text);
    expect(n.signatures.map((s) => [s.name, s.keyId, s.kind, s.verified])).toEqual([
      ["PeterNeumann", "c74f20a3", "ed25519", true],
      ["EnochRoot", "af0cfe78", "unknown", false],
    ]);
  });

  it("opens with both keys: both verified; with none: requireVerifiedNote refuses", () => {
    const note = go.text + "\n" + go.peterSig + go.enochSig;
    expect(openNote({ note, verifiers: [go.peterVkey, go.enochVkey] }).signatures.map((s) => s.verified)).toEqual([true, true]);
    expect(() => requireVerifiedNote({ note, verifiers: [] })).toThrow(/no signature by a known key/);
    expect(requireVerifiedNote({ note, verifiers: [go.enochVkey], require: [go.peterVkey] }).signatures.filter((s) => s.verified)).toHaveLength(2);
  });

  it("a corrupted signature by a known key is reported and refused", () => {
    const n = openNote({ note: go.invalidPeterSignatureNote, verifiers: [go.peterVkey] });
    expect(n.signatures[0]!.verified).toBe(false);
    expect(n.signatures[0]!.kind).toBe("ed25519");
    expect(() => requireVerifiedNote({ note: go.invalidPeterSignatureNote, verifiers: [go.peterVkey] })).toThrow(/does not verify/);
  });

  it("malformed notes are refused", () => {
    expect(go.malformedNotes.length).toBe(7);
    for (const note of go.malformedNotes) expect(() => openNote({ note, verifiers: [go.peterVkey] }), JSON.stringify(note.slice(-40))).toThrow();
  });

  it("bad and mangled keys are refused", () => {
    for (const k of go.badVkeys) expect(() => parseVerifierKey(k)).toThrow();
    for (const k of manglings(go.peterVkey)) expect(() => parseVerifierKey(k), k).toThrow();
    for (const k of manglings(go.peterSkey)) expect(() => parseSignerKey(k), k).toThrow();
  });

  it("duplicate signature lines count once", () => {
    const n = openNote({ note: go.text + "\n" + go.peterSig + go.peterSig, verifiers: [go.peterVkey] });
    expect(n.signatures).toHaveLength(1);
  });
});

describe("signed-note: C2SP example", () => {
  it("the spec's verifier key verifies the spec's note", () => {
    const key = parseVerifierKey(v.c2spSignedNote.vkey);
    expect(toHex(key.publicKey)).toBe(v.c2spSignedNote.publicKeyHex);
    expect(requireVerifiedNote({ note: v.c2spSignedNote.note, verifiers: [v.c2spSignedNote.vkey] }).text).toBe("This is an example message.\n");
  });
});

describe("tlog-checkpoint", () => {
  it("parses the C2SP example and formats it back byte for byte", () => {
    const text = v.c2spCheckpoint.note.slice(0, v.c2spCheckpoint.note.indexOf("\n\n") + 1);
    const cp = parseCheckpoint(text);
    expect(cp.origin).toBe(v.c2spCheckpoint.origin);
    expect(cp.size).toBe(v.c2spCheckpoint.size);
    expect(toBase64(cp.rootHash)).toBe(v.c2spCheckpoint.rootBase64);
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(text);
    const ext = formatCheckpoint({ ...cp, extensions: ["x-ext one", "two"] });
    expect(parseCheckpoint(ext).extensions).toEqual(["x-ext one", "two"]);
  });

  it("is strict", () => {
    const root = v.c2spCheckpoint.rootBase64;
    const bad = [
      `o\n1\n${root}`, // no trailing newline
      `o\n01\n${root}\n`, // leading zero
      `o\n-1\n${root}\n`,
      `o\n+1\n${root}\n`,
      `o\n 1\n${root}\n`,
      `o\n1.0\n${root}\n`,
      `o\n9007199254740993\n${root}\n`, // beyond 2^53
      `\n1\n${root}\n`, // empty origin
      `o\n1\n`, // no root
      `o\n1\n${toBase64(new Uint8Array(31))}\n`, // 31 bytes
      `o\n1\n${root.slice(0, -2)}J=\n`, // non-canonical base64 (pad bits set: I → J)
      `o\n1\n${root.replace(/=$/, "")}\n`, // unpadded
      `o\n1\n${root}\n\n`, // empty extension line
      `o\n1\n${root}\next\r\n`, // control character
    ];
    for (const t of bad) expect(() => parseCheckpoint(t), JSON.stringify(t)).toThrow();
    expect(parseCheckpoint(`o\n0\n${root}\n`).size).toBe(0);
    expect(() => formatCheckpoint({ origin: "o\nx", size: 1, rootHash: new Uint8Array(32) })).toThrow();
    expect(() => formatCheckpoint({ origin: "o", size: 1, rootHash: new Uint8Array(31) })).toThrow();
  });
});

describe("tlog-cosignature cosignature/v1", () => {
  it("a real checkpoint: the log's Ed25519 signature and the remora.n621.de witness cosignature verify; other lines stay unknown", () => {
    const r = v.realCheckpoint;
    const n = requireVerifiedNote({ note: r.note, verifiers: [r.logVkey], require: [r.witnessVkey] });
    expect(n.signatures.map((s) => s.kind)).toEqual(["unknown", "ed25519", "unknown", "unknown", "cosignature", "unknown"]);
    const remora = n.signatures.find((s) => s.name === "remora.n621.de")!;
    expect(remora.verified).toBe(true);
    expect(remora.timestamp).toBe(cosignatureTimestamp(remora.line.split(" ")[2]!));
    expect(verifyCosignature({ checkpointText: n.text, line: remora.line, verifier: r.witnessVkey }).ok).toBe(true);
    expect(parseCheckpoint(n.text).size).toBe(1432088532);
    // the same checkpoint with another size: both signatures fail
    const clobbered = r.note.replace("\n1432088532\n", "\n42\n");
    const c = openNote({ note: clobbered, verifiers: [r.logVkey, r.witnessVkey] });
    expect(c.signatures.filter((s) => s.kind !== "unknown").map((s) => s.verified)).toEqual([false, false]);
  });

  it("key ids with type 0x04 (transparency-dev/formats vectors)", () => {
    for (const k of v.formatsCosig.validVkeys) expect(parseVerifierKey(k).vkey).toBe(k);
    expect(parseVerifierKey(v.formatsCosig.validVkeys[1]!).kind).toBe("cosignature");
    for (const k of v.formatsCosig.invalidVkeys) expect(() => parseVerifierKey(k)).toThrow();
    expect(cosignatureTimestamp(v.formatsCosig.timestampSignature)).toBe(v.formatsCosig.timestamp);
  });

  it("the signed message is the spec's", () => {
    const text = v.c2spCheckpoint.note.slice(0, v.c2spCheckpoint.note.indexOf("\n\n") + 1);
    expect(cosignatureMessage(text, BigInt(v.c2spCheckpoint.cosignatureTime))).toBe(v.c2spCheckpoint.cosignedMessage);
    // the spec example's witness line carries that timestamp
    const line = v.c2spCheckpoint.note.split("\n").find((l) => l.startsWith("\u2014 witness"))!;
    expect(cosignatureTimestamp(line.split(" ")[2]!)).toBe(v.c2spCheckpoint.cosignatureTime);
  });

  it("cosign and verify round trip; a plain Ed25519 note key can cosign under its 0x04 key id", () => {
    const log = generateSigner("example.com/log");
    const w = generateCosignerKey("witness.example/w1");
    const note = signNote({ text: formatCheckpoint({ origin: "example.com/log", size: 3, rootHash: new Uint8Array(32).fill(7) }), signer: log.skey });
    const line = cosignCheckpoint({ checkpointNote: note, signer: w.skey, time: new Date("2026-01-02T03:04:05Z") });
    const full = addSignatureLines(note, [line]);
    const n = requireVerifiedNote({ note: full, verifiers: [log.vkey], require: [w.vkey] });
    expect(n.signatures.find((s) => s.kind === "cosignature")!.timestamp).toBe(Date.parse("2026-01-02T03:04:05Z") / 1000);
    expect(addSignatureLines(full, [line])).toBe(full);
    // a log key (0x01) is not a cosigner key for the same name: different key id, the line is unknown to it
    expect(openNote({ note: full, verifiers: [log.vkey] }).signatures.map((s) => s.kind)).toEqual(["ed25519", "unknown"]);
    const plain = generateSigner("witness.example/w2");
    const cosigner = parseCosignerKey(plain.skey);
    expect(cosigner.type).toBe(4);
    const line2 = cosignCheckpoint({ checkpointNote: note, signer: plain.skey, time: 1 });
    expect(verifyCosignature({ checkpointText: openNote({ note, verifiers: [] }).text, line: line2, verifier: cosigner.vkey })).toEqual({ ok: true, timestamp: 1 });
  });
});

describe("checkCosignatureLine (the server accepting a witness's cosignature)", () => {
  const r = v.realCheckpoint;
  const text = r.note.slice(0, r.note.indexOf("\n\n") + 1);
  const remoraLine = r.note.split("\n").find((l) => l.startsWith("\u2014 remora.n621.de "))!;

  it("accepts the real remora.n621.de cosignature for its checkpoint", () => {
    const a = checkCosignatureLine({ checkpointText: text, line: `${remoraLine}\n`, witnessKeys: [r.witnessVkey] });
    expect(a).toMatchObject({ line: remoraLine, keyName: "remora.n621.de", keyIdHex: "da77ade7", timestamp: cosignatureTimestamp(remoraLine.split(" ")[2]!) });
  });

  it("refuses a malformed line, an unknown witness, another checkpoint, a future timestamp", () => {
    expect(() => checkCosignatureLine({ checkpointText: text, line: "remora.n621.de abc", witnessKeys: [r.witnessVkey] })).toThrow(/signature line/);
    expect(() => checkCosignatureLine({ checkpointText: text, line: remoraLine, witnessKeys: [generateCosignerKey("remora.n621.de").vkey] })).toThrow(/not a configured witness/);
    // the log's own (0x01) key is not a witness key even when name and id were to match
    expect(() => checkCosignatureLine({ checkpointText: text, line: remoraLine, witnessKeys: [r.logVkey] })).toThrow(/not a configured witness/);
    const other = text.replace("\n1432088532\n", "\n1432088533\n");
    expect(() => checkCosignatureLine({ checkpointText: other, line: remoraLine, witnessKeys: [r.witnessVkey] })).toThrow(/does not verify/);
    const ts = cosignatureTimestamp(remoraLine.split(" ")[2]!)!;
    expect(() => checkCosignatureLine({ checkpointText: text, line: remoraLine, witnessKeys: [r.witnessVkey], now: new Date((ts - 3600) * 1000) })).toThrow(/future/);
  });
});

describe("openCheckpoint", () => {
  const r = v.realCheckpoint;

  it("the real checkpoint: log signature, origin, witness", () => {
    const o = openCheckpoint({ note: r.note, logKey: r.logVkey, witnessKeys: [r.witnessVkey], origin: "arche2025h1.staging.ct.transparency.dev", requireWitnesses: true });
    expect(o.checkpoint.size).toBe(1432088532);
    expect(o.cosignedBy.map((w) => w.name)).toEqual(["remora.n621.de"]);
  });

  it("refuses another key, another origin, a changed size, a missing witness, a malformed note", () => {
    expect(() => openCheckpoint({ note: r.note, logKey: v.c2spSignedNote.vkey })).toThrow(/not signed by the log key/);
    expect(() => openCheckpoint({ note: r.note, logKey: r.logVkey, origin: "example.com/other" })).toThrow(/origin/);
    expect(() => openCheckpoint({ note: r.note.replace("\n1432088532\n", "\n1432088531\n"), logKey: r.logVkey })).toThrow(/does not verify/);
    expect(() => openCheckpoint({ note: r.note, logKey: r.logVkey, witnessKeys: [generateCosignerKey("w.example/x").vkey], requireWitnesses: true })).toThrow(/no cosignature by witness/);
    expect(() => openCheckpoint({ note: v.c2spSignedNote.note, logKey: v.c2spSignedNote.vkey })).toThrow(/checkpoint/);
  });
});

describe("properties", () => {
  const log = generateSigner("audit.example/acme");
  const witness = generateCosignerKey("witness.example/w");

  it("any flipped bit in a signature, or a changed origin, size or root, fails", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(),
        fc.integer({ min: 1, max: 1000 }),
        (size, root, bit, delta) => {
          const text = formatCheckpoint({ origin: "audit.example/acme", size, rootHash: root });
          const note = addSignatureLines(signNote({ text, signer: log.skey }), [cosignCheckpoint({ checkpointNote: text, signer: witness.skey, time: 1_700_000_000 })]);
          const verifiers = [log.vkey, witness.vkey];
          expect(openNote({ note, verifiers }).signatures.map((s) => s.verified)).toEqual([true, true]);
          // flip one bit in each signature in turn (past the 4-byte key id, so the key still matches)
          const lines = note.split("\n");
          for (const li of [lines.length - 3, lines.length - 2]) {
            const parts = lines[li]!.split(" ");
            const raw = fromBase64(parts[2]!)!;
            const b = 32 + (bit % ((raw.length - 4) * 8));
            const forged = [...lines];
            forged[li] = `${parts[0]} ${parts[1]} ${flipBase64Bit(parts[2]!, b)}`;
            const sigs = openNote({ note: forged.join("\n"), verifiers }).signatures;
            expect(sigs.filter((s) => s.verified)).toHaveLength(1);
          }
          const cp = parseCheckpoint(text);
          const changedRoot = root.slice();
          changedRoot[bit % 32]! ^= 1 << bit % 8;
          for (const other of [
            formatCheckpoint({ ...cp, size: size + delta }),
            formatCheckpoint({ ...cp, rootHash: changedRoot }),
            formatCheckpoint({ ...cp, origin: "audit.example/acme2" }),
          ]) {
            const replayed = other + note.slice(text.length);
            expect(openNote({ note: replayed, verifiers }).signatures.map((s) => s.verified)).toEqual([false, false]);
            expect(() => requireVerifiedNote({ note: replayed, verifiers })).toThrow();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a signature from another key with the same name is unknown, not accepted", () => {
    const impostor = generateSigner("audit.example/acme");
    const note = signNote({ text: "hello\n", signer: impostor.skey });
    const n = openNote({ note, verifiers: [log.vkey] });
    // same name, different key id (unless a 1 in 2^32 collision): ignored as unknown
    expect(n.signatures[0]!.kind).toBe("unknown");
    expect(() => requireVerifiedNote({ note, verifiers: [log.vkey] })).toThrow();
  });
});
