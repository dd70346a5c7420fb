import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { AppError } from "../errors";
import { ConsistencyProofSchema, type ConsistencyProof } from "../exports/verification-format";
import { generateCosignerKey } from "../integrity/cosignature";
import { generateSigner } from "../integrity/signed-note";
import { formatReport } from "../verifier/format-report";
import { verifyExport } from "../verifier/verify-export";
import { runWitness } from "../witness/run-witness";

/**
 * `npx audit-trail <command>` (bin/audit-trail.mjs loads this through tsx). Exit status: 0 all
 * holds, 1 verification failed, 2 usage error (bad option, unreadable file).
 */

const USAGE = `Usage:
  audit-trail verify <file.zip|file.jsonl> [--key <vkey|file>] [--checkpoint <note-file>]
                     [--consistency-proof <json-file>]… [--witness-key <vkey|file>]… [--json]
      Checks an evidence package or a JSONL log export offline (docs/exports.md).
  audit-trail witness <service-url> --state <dir> --key <witness-skey-file> --token <token>
                     [--log-key <vkey|file>]
      Fetches the log's checkpoint, checks it extends the one saved in <dir>, cosigns it
      (C2SP cosignature/v1) and posts the cosignature to the service (docs/integrity.md). The token
      needs the audit:read and admin scopes; the service must list the witness key in AUDIT_WITNESS_KEYS.
  audit-trail keygen <name> [--witness] [--out <dir>]
      Creates a signed-note key pair (--witness: a cosignature/v1 witness key): <name>.skey, <name>.vkey.
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

class UsageError extends Error {}

/** A key given inline (`name+id+base64`) or as a file holding one. */
export function readKeyArg(value: string, option: string): string {
  const looksInline = /^[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/=]+$/.test(value.trim()) && !fs.existsSync(value);
  if (looksInline) return value.trim();
  try {
    return fs.readFileSync(value, "utf8").trim();
  } catch {
    throw new UsageError(`${option}: ${value} is neither a key (<name>+<keyid>+<base64>) nor a readable file`);
  }
}

function readFileArg(value: string, option: string): string {
  try {
    return fs.readFileSync(value, "utf8");
  } catch {
    throw new UsageError(`${option}: cannot read ${value}`);
  }
}

/** A consistency proof file: the API's answer, with or without the {success, data} envelope. */
function readConsistencyProof(value: string): ConsistencyProof {
  let json: unknown;
  try {
    json = JSON.parse(readFileArg(value, "--consistency-proof"));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--consistency-proof: ${value} is not JSON`);
  }
  const inner = json && typeof json === "object" && "data" in json ? (json as { data: unknown }).data : json;
  const r = ConsistencyProofSchema.safeParse(inner);
  if (!r.success) throw new UsageError(`--consistency-proof: ${value} is not {first, second, hashes[]} (${r.error.issues[0]?.message})`);
  return r.data;
}

async function verifyCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      key: { type: "string" },
      checkpoint: { type: "string" },
      "consistency-proof": { type: "string", multiple: true },
      "witness-key": { type: "string", multiple: true },
      json: { type: "boolean" },
    },
  });
  if (positionals.length !== 1) throw new UsageError("verify takes exactly one file");
  const file = positionals[0]!;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const report = await verifyExport({
    bytes,
    fileName: path.basename(file),
    key: values.key !== undefined ? readKeyArg(values.key, "--key") : undefined,
    savedCheckpoint: values.checkpoint !== undefined ? readFileArg(values.checkpoint, "--checkpoint") : undefined,
    consistencyProofs: (values["consistency-proof"] ?? []).map(readConsistencyProof),
    witnessKeys: (values["witness-key"] ?? []).map((k) => readKeyArg(k, "--witness-key")),
  });
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}

async function witnessCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { state: { type: "string" }, key: { type: "string" }, token: { type: "string" }, "log-key": { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("witness takes exactly one service URL");
  if (!values.state) throw new UsageError("witness needs --state <dir>");
  if (!values.key) throw new UsageError("witness needs --key <witness signer key file>");
  const token = values.token ?? process.env.AUDIT_TRAIL_TOKEN;
  if (!token) throw new UsageError("witness needs --token <token with the audit:read and admin scopes> (or AUDIT_TRAIL_TOKEN)");
  const result = await runWitness({
    url: positionals[0]!,
    stateDir: values.state,
    signerKey: readFileArg(values.key, "--key").trim(),
    token,
    logKey: values["log-key"] !== undefined ? readKeyArg(values["log-key"], "--log-key") : undefined,
    log: (line) => io.stdout(`${line}\n`),
  });
  return result.ok ? 0 : 1;
}

function keygenCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { witness: { type: "boolean" }, out: { type: "string" } } });
  if (positionals.length !== 1) throw new UsageError("keygen takes exactly one key name");
  const name = positionals[0]!;
  const pair = values.witness ? generateCosignerKey(name) : generateSigner(name);
  const dir = values.out ?? ".";
  const base = path.join(dir, name.replace(/[^A-Za-z0-9._-]/g, "_"));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${base}.skey`, `${pair.skey}\n`, { mode: 0o600, flag: "wx" });
  fs.writeFileSync(`${base}.vkey`, `${pair.vkey}\n`, { flag: "wx" });
  io.stdout(`wrote ${base}.skey (keep it secret) and ${base}.vkey:\n${pair.vkey}\n`);
  return 0;
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "verify":
        return await verifyCommand(rest, io);
      case "witness":
        return await witnessCommand(rest, io);
      case "keygen":
        return keygenCommand(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && "code" in e && String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS"))) {
      io.stderr(`audit-trail: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof AppError && (e.code === "invalid_parameter" || e.code === "validation_failed")) {
      io.stderr(`audit-trail: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
