import { AppError } from "@/lib/errors";
import { fromBase64, toBase64 } from "./encoding";

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) note text: origin line, tree size in
 * decimal without leading zeros, base64 of the 32-byte RFC 6962 root, optional non-empty extension
 * lines, each line ending in "\n". Strict both ways; no node: imports (the browser parses with it).
 */

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
}

const bad = (message: string): AppError => new AppError("invalid_parameter", message, { field: "checkpoint" });
const SIZE_RE = /^(0|[1-9][0-9]*)$/;

function checkLine(what: string, line: string): void {
  if (line.length === 0) throw bad(`checkpoint ${what} must not be empty`);
  if (line.includes("\n")) throw bad(`checkpoint ${what} must be one line`);
  if (/[\u0000-\u001f]/.test(line)) throw bad(`checkpoint ${what} contains a control character`);
}

export function formatCheckpoint({ origin, size, rootHash, extensions = [] }: { origin: string; size: number; rootHash: Uint8Array; extensions?: readonly string[] }): string {
  checkLine("origin", origin);
  if (!Number.isSafeInteger(size) || size < 0) throw bad("checkpoint size must be a non-negative integer");
  if (rootHash.length !== 32) throw bad(`checkpoint root hash must be 32 bytes, not ${rootHash.length}`);
  extensions.forEach((e) => checkLine("extension line", e));
  return [origin, String(size), toBase64(rootHash), ...extensions].map((l) => `${l}\n`).join("");
}

/** Parse a checkpoint note text (not the signed note: pass `openNote(...).text`). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) throw bad("checkpoint must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw bad("checkpoint needs an origin, a size and a root hash line");
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine("origin", origin);
  if (!SIZE_RE.test(sizeText)) throw bad("checkpoint size must be decimal digits without leading zeros");
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad("checkpoint size is too large");
  const rootHash = fromBase64(rootText);
  if (!rootHash || rootHash.length !== 32) throw bad("checkpoint root hash must be the standard base64 of 32 bytes");
  extensions.forEach((e) => checkLine("extension line", e));
  return { origin, size, rootHash, extensions };
}
