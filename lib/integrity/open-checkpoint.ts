import { AppError } from "@/lib/errors";
import { parseCheckpoint, type Checkpoint } from "./checkpoint";
import { openNote, parseVerifierKey, type NoteVerifier, type OpenedSignature } from "./signed-note";

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** The note text (the checkpoint lines). */
  text: string;
  signatures: OpenedSignature[];
  /** Witness keys (of those given) whose cosignature verified. */
  cosignedBy: NoteVerifier[];
}

/**
 * A signed checkpoint, checked (sync, node:crypto; web-verify.ts verifyCheckpointAsync is the browser's):
 * the log key's signature verifies, no signature by a given key fails, the text is a C2SP checkpoint,
 * and (optionally) its origin is `origin`. Throws AppError naming `field` (default "checkpoint"):
 * 400 for a malformed note or checkpoint, 422 for a missing or failing signature or another origin.
 * Witnesses that did not cosign are not an error; `requireWitnesses` makes each given one required.
 */
export function openCheckpoint({
  note,
  logKey,
  witnessKeys = [],
  origin,
  requireWitnesses = false,
  field = "checkpoint",
}: {
  note: string;
  logKey: NoteVerifier | string;
  witnessKeys?: ReadonlyArray<NoteVerifier | string>;
  origin?: string;
  requireWitnesses?: boolean;
  field?: string;
}): OpenedCheckpoint {
  const log = typeof logKey === "string" ? parseVerifierKey(logKey) : logKey;
  const witnesses = witnessKeys.map((k) => (typeof k === "string" ? parseVerifierKey(k) : k));
  const fail = (message: string) => new AppError("validation_failed", `${field}: ${message}`, { field });
  let opened: ReturnType<typeof openNote>;
  let checkpoint: Checkpoint;
  try {
    opened = openNote({ note, verifiers: [log, ...witnesses] });
    checkpoint = parseCheckpoint(opened.text);
  } catch (e) {
    throw new AppError("invalid_parameter", `${field}: ${(e as Error).message}`, { field });
  }
  const bad = opened.signatures.find((s) => s.kind !== "unknown" && !s.verified);
  if (bad) throw fail(`the signature by ${bad.name}+${bad.keyId} does not verify: the checkpoint was changed or forged`);
  if (!opened.signatures.some((s) => s.verified && s.name === log.name && s.keyId === log.keyIdHex)) {
    throw fail(`not signed by the log key ${log.name}+${log.keyIdHex}`);
  }
  if (origin !== undefined && checkpoint.origin !== origin) throw fail(`origin is "${checkpoint.origin}", expected "${origin}"`);
  const cosignedBy = witnesses.filter((w) => opened.signatures.some((s) => s.verified && s.name === w.name && s.keyId === w.keyIdHex));
  if (requireWitnesses) {
    const missing = witnesses.find((w) => !cosignedBy.includes(w));
    if (missing) throw fail(`no cosignature by witness ${missing.name}+${missing.keyIdHex}`);
  }
  return { checkpoint, text: opened.text, signatures: opened.signatures, cosignedBy };
}
