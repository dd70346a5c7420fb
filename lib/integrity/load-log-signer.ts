import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getConfig } from "../config";
import { AppError } from "../errors";
import { isValidKeyName } from "./note-format";
import { generateSigner, parseSignerKey, type NoteSigner } from "./signed-note";

/**
 * The log's signing key (issue #9): signs checkpoints, cut notes and export statements. It comes
 * from, in this order: AUDIT_LOG_SIGNING_KEY (the C2SP signed-note private key
 * `PRIVATE+KEY+<name>+<keyid>+<base64>`), AUDIT_LOG_SIGNING_KEY_FILE (a file holding it), or a key
 * generated once into the data directory (`<AUDIT_DATA_DIR>/log-signing-key`, mode 0600), which
 * start-up announces as unfit for production. The key never goes into the database: whoever
 * controls the database alone cannot sign a rewritten history.
 *
 * Origin of an org's checkpoints: `<AUDIT_LOG_ORIGIN>/<org slug>`; AUDIT_LOG_ORIGIN defaults to the
 * key's name (a generated key is named after the host), so instances that share the key (as they
 * must) share the origin too.
 */
export interface LogSigner {
  signer: NoteSigner;
  /** The verifier key `<name>+<keyid>+<base64(0x01‖pubkey)>` (GET /api/v1/audit/public-key). */
  vkey: string;
  name: string;
  keyIdHex: string;
  /** Origin prefix; an org's origin is `${originPrefix}/${slug}`. */
  originPrefix: string;
  origin(orgSlug: string): string;
  source: "env" | "file" | "generated";
  /** The file the key came from (file or generated). */
  keyFile?: string;
}

export interface LoadLogSignerOptions {
  /** A private key in signed-note form (wins over everything else). */
  key?: string;
  keyFile?: string;
  origin?: string;
  /** Where a generated key lives (default AUDIT_DATA_DIR). */
  dataDir?: string;
  /** Start-up messages (default console.log); only printed when the key is first loaded. */
  log?: (line: string) => void;
}

export const GENERATED_KEY_FILE = "log-signing-key";

const KEY = Symbol.for("audit-trail.log-signer");
type Holder = { [KEY]?: { fingerprint: string; signer: LogSigner } };

/**
 * The process's log signer, loaded once (and again only when its configuration changes). Without
 * options it reads the configuration (lib/config.ts); tests and benchmarks may pass `key`.
 */
export function loadLogSigner(opts: LoadLogSignerOptions = {}): LogSigner {
  const cfg = getConfig();
  const key = opts.key ?? cfg.AUDIT_LOG_SIGNING_KEY;
  const keyFile = opts.keyFile ?? cfg.AUDIT_LOG_SIGNING_KEY_FILE;
  const origin = opts.origin ?? cfg.AUDIT_LOG_ORIGIN;
  const dataDir = opts.dataDir ?? cfg.dataDir;
  const fingerprint = JSON.stringify([key ?? null, keyFile ?? null, origin ?? null, key || keyFile ? null : dataDir]);
  const g = globalThis as Holder;
  if (g[KEY]?.fingerprint === fingerprint) return g[KEY].signer;
  const log = opts.log ?? ((line: string) => console.log(line));
  const signer = build({ key, keyFile, origin, dataDir, log });
  g[KEY] = { fingerprint, signer };
  return signer;
}

/** Tests change the key between suites. */
export function resetLogSignerForTests(): void {
  delete (globalThis as Holder)[KEY];
}

function build(o: { key?: string; keyFile?: string; origin?: string; dataDir: string; log: (line: string) => void }): LogSigner {
  let skey: string;
  let source: LogSigner["source"];
  let file: string | undefined;
  if (o.key) {
    skey = o.key;
    source = "env";
  } else if (o.keyFile) {
    file = path.resolve(o.keyFile);
    try {
      skey = fs.readFileSync(file, "utf8").trim();
    } catch (e) {
      throw new AppError("internal_error", `AUDIT_LOG_SIGNING_KEY_FILE: cannot read ${file}: ${(e as Error).message}`);
    }
    source = "file";
  } else {
    file = path.join(o.dataDir, GENERATED_KEY_FILE);
    const made = readOrGenerate(file);
    skey = made.skey;
    source = "generated";
    o.log(
      `[audit-trail] log signing key: ${made.created ? "generated" : "using the generated key"} ${file}. ` +
        "Production must supply its own: AUDIT_LOG_SIGNING_KEY or AUDIT_LOG_SIGNING_KEY_FILE (kept out of the database); " +
        "several instances on one PostgreSQL must all use the same key and origin.",
    );
  }
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(skey);
  } catch (e) {
    const where = source === "env" ? "AUDIT_LOG_SIGNING_KEY" : `${source === "file" ? "AUDIT_LOG_SIGNING_KEY_FILE" : "the generated key file"} (${file})`;
    throw new AppError("internal_error", `${where}: not a signed-note private key (PRIVATE+KEY+name+keyid+base64): ${(e as Error).message}`);
  }
  if (signer.kind !== "ed25519") throw new AppError("internal_error", "the log signing key must be an Ed25519 (type 0x01) note key");
  const originPrefix = o.origin ?? signer.name;
  o.log(`[audit-trail] log verifier key: ${signer.vkey} (checkpoint origin ${originPrefix}/<org slug>)`);
  return {
    signer,
    vkey: signer.vkey,
    name: signer.name,
    keyIdHex: signer.keyIdHex,
    originPrefix,
    origin: (slug) => `${originPrefix}/${slug}`,
    source,
    keyFile: file,
  };
}

/** A key name from the host name (signed-note names: no spaces, no "+"). */
export function defaultKeyName(): string {
  const host = os.hostname().toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "");
  const name = host ? `${host}/audit-trail` : "audit-trail";
  return isValidKeyName(name) ? name : "audit-trail";
}

/**
 * Reads the generated key, or creates it atomically: written to a temporary file and linked into
 * place, so that processes starting at once all end up with the one key that won.
 */
function readOrGenerate(file: string): { skey: string; created: boolean } {
  try {
    return { skey: fs.readFileSync(file, "utf8").trim(), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { skey } = generateSigner(defaultKeyName());
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, `${skey}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return { skey, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return { skey: fs.readFileSync(file, "utf8").trim(), created: false };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
