import type { TextSearch } from "../audit/query-events";
import { AppError } from "../errors";

export const SEARCH_FIELDS = ["all", "details", "actor"] as const;
export type SearchFields = (typeof SEARCH_FIELDS)[number];

const PUNCTUATION = /[^\p{L}\p{N}]+/gu;
const TOKEN = /(-?)"([^"]*)"?|(\S+)/g;

/**
 * Turns web-search syntax (words, "phrases", -excluded, OR) into the TextSearch of the shared
 * query layer. PostgreSQL's websearch_to_tsquery reads the syntax; the alternative spelling turns
 * every word that contains punctuation (alice@example.com, policy.update, user-101) into a
 * phrase of its parts ("alice example com"), which matches the split copy kept in the index, so
 * that both whole tokens and their parts are found.
 */
export function parseSearchQuery(q: string, fields: SearchFields = "all"): TextSearch {
  const query = q.trim();
  if (!/[\p{L}\p{N}]/u.test(query)) {
    throw new AppError("invalid_parameter", "q: must contain at least one letter or digit", { field: "q" });
  }
  const parts: string[] = [];
  for (const m of query.matchAll(TOKEN)) {
    const [, neg = "", phrase, word] = m;
    if (phrase !== undefined) {
      parts.push(`${neg}"${phrase.replace(PUNCTUATION, " ").trim()}"`);
    } else if (word !== undefined) {
      if (word === "OR" || word === "or") {
        parts.push(word);
        continue;
      }
      const minus = word.startsWith("-") ? "-" : "";
      const bare = minus ? word.slice(1) : word;
      const split = bare.replace(PUNCTUATION, " ").trim();
      parts.push(split.includes(" ") ? `${minus}"${split}"` : `${minus}${split}`);
    }
  }
  const alternative = parts.filter((p) => p !== "" && p !== '""' && p !== '-""').join(" ");
  return {
    query,
    ...(alternative !== query && alternative !== "" && { alternative }),
    ...(fields === "actor" && { weight: "a" as const }),
    ...(fields === "details" && { weight: "b" as const }),
  };
}
