import { describe, expect, it } from "vitest";
import { explorerFilter } from "@/lib/audit/explorer-filter";
import { parseExplorerQuery } from "@/lib/audit/parse-explorer-query";

describe("explorer query: actor_type (the statistics page links actor types here)", () => {
  it("filters by actor type", () => {
    expect(parseExplorerQuery("actor_type:system").where).toMatchObject({ op: "in", field: "actor.type", values: ["system"] });
    expect(explorerFilter({ q: "actor_type:service_account action:scan.*" }).where).toMatchObject({ op: "and", nodes: [{ op: "in", field: "actor.type", values: ["service_account"] }, { op: "like", field: "action", patterns: ["scan.*"] }] });
  });
  it("explains an unknown actor type inline", () => {
    const q = parseExplorerQuery("actor_type:robot");
    expect(q.errors[0]?.message).toMatch(/not an actor type/);
    expect(() => explorerFilter({ q: "actor_type:robot" })).toThrow(/q: /);
  });
});
