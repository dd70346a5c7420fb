import { F, type FilterNode } from "./filter-tree";

/**
 * THE reader of an `action` filter parameter, for every API that takes one (AppSec+ `action`,
 * ComplianceAgent `event_type`, log exports' `action`): an exact name, or `prefix.*` for every action
 * starting with `prefix.`; with `list: true` also a comma-separated list of those.
 */
export function actionPattern(value: string | undefined, opts: { list?: boolean } = {}): FilterNode | undefined {
  if (!value) return undefined;
  const items = opts.list ? value.split(",").map((s) => s.trim()).filter(Boolean) : [value];
  const prefixes = items.filter((s) => s.endsWith(".*")).map((s) => s.slice(0, -1));
  const exact = items.filter((s) => !s.endsWith(".*"));
  const nodes = [...(exact.length ? [F.in("action", ...exact)] : []), ...(prefixes.length ? [F.prefix("action", ...prefixes)] : [])];
  return nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : F.or(...nodes);
}
