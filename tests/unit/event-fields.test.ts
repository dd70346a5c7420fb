import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { COLUMNS_HASH_SQL } from "@/lib/audit/attest-columns";
import { COPIED_COLUMNS, CSV_COLUMNS, EVENT_FIELDS, EventInputSchema, EXPLORER_COLUMNS, FIELD_NAMES, QUERY_FIELD_KEYS, SEARCH_DOCUMENT, SEARCH_WEIGHTS } from "@/lib/audit/event-fields";
import { QUERY_KEYS } from "@/lib/audit/parse-explorer-query";

/**
 * The field registry (issue 12 item 1) is the one declaration; these checks tie what cannot be derived
 * (SQL written once in a migration) to it, and pin what is derived.
 */
describe("event-field registry", () => {
  it("search weights agree with audit_search_vector() (prisma/definitions/functions/audit_search_vector.sql)", () => {
    const sql = fs.readFileSync("prisma/definitions/functions/audit_search_vector.sql", "utf8");
    // Each part: audit_search_part_vector(concat_ws(' ', <members>), '<W>')
    const parts = [...sql.matchAll(/audit_search_part_vector\(concat_ws\(' ',([\s\S]*?)\), '([ABC])'\)/g)].map((m) => ({ members: m[1]!, weight: m[2]! }));
    expect(parts.map((p) => p.weight)).toEqual(["A", "B", "C"]);
    const pathSql = (path: readonly string[]) => (path.length === 1 ? `c ->> '${path[0]}'` : `c #>> '{${path.join(",")}}'`);
    for (const f of SEARCH_WEIGHTS) {
      const part = parts.find((p) => p.members.includes(pathSql(f.path)));
      expect(part?.weight, `${f.field} (${pathSql(f.path)})`).toBe(f.weight);
    }
    // …and nothing is indexed that the registry does not declare.
    const declared = new Set(SEARCH_WEIGHTS.map((f) => pathSql(f.path)));
    for (const m of parts.flatMap((p) => [...p.members.matchAll(/c (?:->>|#>>) '[^']+'/g)].map((x) => x[0]))) expect(declared.has(m), m).toBe(true);
    // The JS vector (lib/audit/search-vector.ts) reads the members in the SQL's order, part by part.
    expect(SEARCH_DOCUMENT.map((p) => p.weight)).toEqual(parts.map((p) => p.weight));
    SEARCH_DOCUMENT.forEach((p, i) => {
      expect(p.paths.map(pathSql)).toEqual([...parts[i]!.members.matchAll(/c (?:->>|#>>) '[^']+'/g)].map((x) => x[0]));
    });
    expect(SEARCH_DOCUMENT.flatMap((p) => p.paths).length).toBe(SEARCH_WEIGHTS.length);
  });

  it("derives the ingest schema: every field with an input, unknown fields refused", () => {
    const keys = Object.keys(EventInputSchema.shape).sort();
    expect(keys).toEqual(FIELD_NAMES.filter((n) => "input" in EVENT_FIELDS[n]).sort());
    expect(keys).toEqual(["action", "actor", "changes", "details", "id", "ip_address", "outcome", "repository", "request_id", "resource", "session_id", "timestamp", "user_agent"]);
    const r = EventInputSchema.safeParse({ actor: { id: "a", type: "user" }, action: "x.y", resource: { type: "t", id: "i" }, colour: "red" });
    expect(r.success).toBe(false);
  });

  it("derives the copied columns (v2 ones, then late ones) and the row hash over them", () => {
    expect(COPIED_COLUMNS.filter((c) => !c.late).map((c) => c.name).sort()).toEqual(
      ["action", "actor_email", "actor_id", "actor_type", "id", "received_at", "repository_id", "repository_name", "resource_id", "resource_type", "seq", "timestamp"].sort(),
    );
    for (const c of COPIED_COLUMNS.filter((x) => x.late)) expect(COLUMNS_HASH_SQL).toContain(`CASE WHEN e.${c.name} IS NULL THEN ''::bytea ELSE record_send(ROW('${c.name}'::text, e.${c.name})) END`);
  });

  it("derives CSV columns in the documented order (docs/exports.md), outcome after action", () => {
    expect(CSV_COLUMNS).toEqual([
      "id", "timestamp", "actor_id", "actor_type", "actor_email", "actor_name", "action", "outcome", "resource_type", "resource_id", "resource_name",
      "repository_id", "repository_name", "ip_address", "user_agent", "request_id", "session_id", "changes", "details", "seq", "hash",
    ]);
  });

  it("derives the explorer's columns and the query keys", () => {
    expect(EXPLORER_COLUMNS.map((c) => [c.id, c.hidden])).toEqual([
      ["timestamp", false], ["actor", false], ["action", false], ["outcome", false], ["resource", false], ["repository", false], ["ip_address", true], ["request_id", true],
    ]);
    for (const [key, info] of QUERY_FIELD_KEYS) expect(QUERY_KEYS[info.key], key).toBe(info.hint);
  });
});
