import { stringify } from "csv-stringify/sync";
import { CSV_COLUMNS as REGISTRY_CSV_COLUMNS, csvValues } from "../audit/event-fields";
import type { StoredEvent } from "../audit/event-schema";
import { CANONICAL_KEY } from "./verification-format";

/**
 * Entry shapes of the export files. JSONL for AppSec+ log exports uses the AppSec+ entry shape
 * (as GET /audit-logs answers); evidence packages use the canonical entry (with seq and hashes),
 * which is the verifiable form.
 */
export function toAppSecPlusEntry(e: StoredEvent) {
  // The one implementation of the AppSec+ entry: GET /audit-logs answers with it too (lib/dialects/appsecplus/audit-logs.ts).
  const changes = e.changes ? Object.fromEntries(Object.entries(e.changes).map(([k, c]) => [k, { old: c.old ?? null, new: c.new ?? null }])) : undefined;
  return {
    id: e.id,
    timestamp: e.timestamp,
    actor: { id: e.actor.id, type: e.actor.type, ...(e.actor.email && { email: e.actor.email }) },
    action: e.action,
    resource: { type: e.resource.type, id: e.resource.id, ...(e.resource.name && { name: e.resource.name }) },
    metadata: {
      ...(e.ip_address && { ip: e.ip_address }),
      ...(e.request_id && { requestId: e.request_id }),
      ...(changes && { changes }),
    },
  };
}

/**
 * A line of a JSONL log export: the AppSec+ entry (what AppSec+ consumers read) plus the stored
 * entry as hashed, under `canonical` (docs/exports.md, "Verifiable exports").
 */
export function verifiableJsonlEntry(e: StoredEvent) {
  return { ...toAppSecPlusEntry(e), [CANONICAL_KEY]: e };
}

/** CSV columns: the field registry's (lib/audit/event-fields.ts `csv`), in its order, then the hash. */
export const CSV_COLUMNS = REGISTRY_CSV_COLUMNS;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * OWASP CSV injection: a cell that starts with =, +, -, @, tab or carriage return is prefixed with
 * a single quote so spreadsheets show it as text. (RFC 4180 quoting is csv-stringify's job.)
 */
export function neutralizeCell(v: string): string {
  return FORMULA_START.test(v) ? `'${v}` : v;
}

const cell = (v: unknown): string => (v === undefined || v === null ? "" : neutralizeCell(typeof v === "string" ? v : JSON.stringify(v)));

export function toCsvRecord(e: StoredEvent): string[] {
  return csvValues(e).map(cell);
}

const CSV_OPTIONS = { record_delimiter: "\r\n" } as const;

/** RFC 4180: CRLF line ends; fields with comma, quote, CR or LF quoted, quotes doubled. */
export function csvHeader(): string {
  return stringify([[...CSV_COLUMNS]], CSV_OPTIONS);
}

export function csvLines(events: StoredEvent[]): string {
  return stringify(events.map(toCsvRecord), CSV_OPTIONS);
}

export function jsonlLines<T>(events: StoredEvent[], shape: (e: StoredEvent) => T): string {
  let out = "";
  for (const e of events) out += `${JSON.stringify(shape(e))}\n`;
  return out;
}
