import type { EventFilter } from "./query-events";

/**
 * THE reader of an `action` filter parameter, for every API that takes one (AppSec+ `action`,
 * ComplianceAgent `event_type`, log exports' `action`): an exact name, or `prefix.*` for every action
 * starting with `prefix.`; with `list: true` also a comma-separated list of those.
 */
export function actionPattern(value: string | undefined, opts: { list?: boolean } = {}): Pick<EventFilter, "actions" | "actionPrefix" | "actionAnyOf"> {
  if (!value) return {};
  const items = opts.list ? value.split(",").map((s) => s.trim()).filter(Boolean) : [value];
  const prefixes = items.filter((s) => s.endsWith(".*")).map((s) => s.slice(0, -1));
  const exact = items.filter((s) => !s.endsWith(".*"));
  if (prefixes.length === 0) return exact.length ? { actions: exact } : {};
  if (exact.length === 0 && prefixes.length === 1) return { actionPrefix: prefixes[0] };
  return { actionAnyOf: { exact, prefixes } };
}
