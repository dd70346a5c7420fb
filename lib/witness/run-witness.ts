import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors";
import { ConsistencyProofSchema } from "../exports/verification-format";
import { parseCheckpoint, type Checkpoint } from "../integrity/checkpoint";
import { cosignCheckpoint, parseCosignerKey } from "../integrity/cosignature";
import { fromHex, toHex } from "../integrity/encoding";
import { bytesEqual, verifyConsistency } from "../integrity/merkle";
import { openNote, parseVerifierKey, type NoteVerifier } from "../integrity/signed-note";

/**
 * The reference witness (docs/integrity.md, "Witnesses"): fetch the log's latest checkpoint, check
 * its signature with the log key, check that it extends the checkpoint this witness saw last time
 * (RFC 9162 consistency proof from the service), cosign it (C2SP cosignature/v1) and post the
 * cosignature. The state directory holds the last checkpoint cosigned and the log key (pinned on
 * first use unless --log-key is given). A rollback or a fork is refused and nothing is signed.
 */

export interface RunWitnessOptions {
  /** The service's base URL (http://host:port). */
  url: string;
  stateDir: string;
  /** The witness's signer key text (`PRIVATE+KEY+name+id+base64`, type 0x04 or 0x01). */
  signerKey: string;
  /** A token of the org with `admin` scope (posting cosignatures) and `audit:read`. */
  token: string;
  /** The log's verifier key; default: the one saved in the state dir, or (first run) the service's. */
  logKey?: string;
  log?: (line: string) => void;
  /** Seconds since the epoch to cosign at (tests); default now. */
  now?: () => Date;
  fetch?: typeof fetch;
}

export interface RunWitnessResult {
  ok: boolean;
  /** What happened, in words. */
  outcome: "cosigned" | "rollback" | "fork" | "inconsistent" | "bad-signature" | "post-failed";
  size?: number;
  previousSize?: number;
  cosignature?: string;
}

export const WITNESS_STATE_FILES = { checkpoint: "checkpoint.txt", logKey: "log-key.txt" } as const;

const envelope = <T extends z.ZodTypeAny>(inner: T) => z.union([z.object({ success: z.literal(true), data: inner }), inner]);

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export async function runWitness(opts: RunWitnessOptions): Promise<RunWitnessResult> {
  const log = opts.log ?? (() => undefined);
  const doFetch = opts.fetch ?? fetch;
  const base = opts.url.replace(/\/+$/, "");
  const headers = { authorization: `Bearer ${opts.token}` };
  const get = async (p: string): Promise<Response> => {
    const res = await doFetch(`${base}${p}`, { headers });
    if (!res.ok) throw new AppError("service_unavailable", `GET ${p}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res;
  };
  const signer = parseCosignerKey(opts.signerKey);
  fs.mkdirSync(opts.stateDir, { recursive: true });
  const stateCheckpoint = path.join(opts.stateDir, WITNESS_STATE_FILES.checkpoint);
  const stateKey = path.join(opts.stateDir, WITNESS_STATE_FILES.logKey);

  // The log key: given, saved, or trusted on first use.
  let logKey: NoteVerifier;
  if (opts.logKey) {
    logKey = parseVerifierKey(opts.logKey);
    if (fs.existsSync(stateKey) && parseVerifierKey(fs.readFileSync(stateKey, "utf8")).vkey !== logKey.vkey) {
      throw new AppError("invalid_parameter", `--log-key differs from the key saved in ${stateKey}; remove the state directory to start over with another log`, { field: "log-key" });
    }
  } else if (fs.existsSync(stateKey)) {
    logKey = parseVerifierKey(fs.readFileSync(stateKey, "utf8"));
  } else {
    logKey = parseVerifierKey(await (await get("/api/v1/audit/public-key")).text());
    log(`!!! first run: trusting the log key the service presents, ${logKey.vkey} — compare it with the one the operator published (pass --log-key to pin it)`);
  }
  if (!fs.existsSync(stateKey)) writeAtomically(stateKey, `${logKey.vkey}\n`);

  const note = await (await get("/api/v1/audit/checkpoint")).text();
  const opened = openNote({ note, verifiers: [logKey] });
  if (!opened.signatures.some((s) => s.verified && s.name === logKey.name && s.keyId === logKey.keyIdHex)) {
    log(`✗ the checkpoint is not signed by the log key ${logKey.name}+${logKey.keyIdHex}: not cosigned`);
    return { ok: false, outcome: "bad-signature" };
  }
  const latest = parseCheckpoint(opened.text);
  log(`checkpoint: ${latest.origin}, tree size ${latest.size}, root ${toHex(latest.rootHash)}`);

  let previous: Checkpoint | undefined;
  if (fs.existsSync(stateCheckpoint)) {
    previous = parseCheckpoint(openNote({ note: fs.readFileSync(stateCheckpoint, "utf8"), verifiers: [logKey] }).text);
    if (previous.origin !== latest.origin) {
      throw new AppError("invalid_parameter", `the state directory belongs to log ${previous.origin}, this service's log is ${latest.origin}`, { field: "state" });
    }
    if (latest.size < previous.size) {
      log(`✗ ROLLBACK: the log's tree went back from size ${previous.size} to ${latest.size}: not cosigned`);
      return { ok: false, outcome: "rollback", size: latest.size, previousSize: previous.size };
    }
    if (latest.size === previous.size) {
      if (!bytesEqual(latest.rootHash, previous.rootHash)) {
        log(`✗ FORK: tree size ${latest.size} now has root ${toHex(latest.rootHash)}, last time ${toHex(previous.rootHash)}: not cosigned`);
        return { ok: false, outcome: "fork", size: latest.size, previousSize: previous.size };
      }
      log(`same tree as last time (size ${latest.size})`);
    } else {
      const res = await get(`/api/v1/audit/consistency?first=${previous.size}&second=${latest.size}`);
      const proof = envelope(ConsistencyProofSchema).parse(await res.json());
      const p = "data" in proof ? proof.data : proof;
      const ok =
        p.first === previous.size &&
        p.second === latest.size &&
        verifyConsistency({ first: previous.size, second: latest.size, firstRoot: previous.rootHash, secondRoot: latest.rootHash, proof: p.hashes.map((h) => fromHex(h)!) });
      if (!ok) {
        log(`✗ INCONSISTENT: the tree of size ${latest.size} does not extend the one of size ${previous.size} this witness saw: not cosigned`);
        return { ok: false, outcome: "inconsistent", size: latest.size, previousSize: previous.size };
      }
      log(`✓ consistent with the checkpoint saved last time (size ${previous.size} → ${latest.size})`);
    }
  } else {
    log("first checkpoint this witness sees (nothing saved yet)");
  }

  const time = opts.now?.() ?? new Date();
  const cosignature = cosignCheckpoint({ checkpointNote: note, signer, time });
  // Remember what was seen before telling anyone: a later run never cosigns an older tree.
  writeAtomically(stateCheckpoint, note);
  const post = await doFetch(`${base}/api/v1/audit/checkpoint/cosignatures`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ tree_size: latest.size, cosignature }),
  });
  if (!post.ok) {
    log(`✗ posting the cosignature failed: HTTP ${post.status} ${(await post.text()).slice(0, 300)}`);
    return { ok: false, outcome: "post-failed", size: latest.size, previousSize: previous?.size, cosignature };
  }
  log(`✓ cosigned tree size ${latest.size} as ${signer.name}+${signer.keyIdHex} and posted it`);
  return { ok: true, outcome: "cosigned", size: latest.size, previousSize: previous?.size, cosignature };
}
