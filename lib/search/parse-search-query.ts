import type { TextSearch } from "../audit/query-events";
import { AppError } from "../errors";

export const SEARCH_FIELDS = ["all", "details", "actor"] as const;
export type SearchFields = (typeof SEARCH_FIELDS)[number];

const PUNCTUATION = /[^\p{L}\p{N}]/u;
const TOKEN = /(-?)"([^"]*)"?|(\S+)/g;

/**
 * Turns web-search syntax (words, "phrases", -excluded, OR) into the TextSearch of the shared
 * query layer. The index holds every text split at punctuation (alice@example.com → alice example
 * com); so that whole emails, ids and dotted actions match as phrases of their parts, every word
 * that contains punctuation, and every excluded word, is quoted here. The shared query layer then
 * splits the quoted form at punctuation in SQL, with the same expression as the index, and hands
 * it to websearch_to_tsquery. The original text is kept for highlighting whole tokens.
 */
export function parseSearchQuery(q: string, fields: SearchFields = "all"): TextSearch {
  const original = q.trim();
  if (!/[\p{L}\p{N}]/u.test(original)) {
    throw new AppError("invalid_parameter", "q: must contain at least one letter or digit", { field: "q" });
  }
  const parts: string[] = [];
  for (const m of original.matchAll(TOKEN)) {
    const [, neg = "", phrase, word] = m;
    if (phrase !== undefined) {
      if (/[\p{L}\p{N}]/u.test(phrase)) parts.push(`${neg}"${phrase}"`);
    } else if (word !== undefined) {
      if (word === "OR") {
        parts.push(word);
        continue;
      }
      const minus = word.startsWith("-") ? "-" : "";
      const bare = (minus ? word.slice(1) : word).replaceAll('"', " ").trim();
      if (!/[\p{L}\p{N}]/u.test(bare)) continue;
      parts.push(minus || PUNCTUATION.test(bare) ? `${minus}"${bare}"` : bare);
    }
  }
  return {
    query: parts.join(" "),
    original,
    ...(fields === "actor" && { weight: "a" as const }),
    ...(fields === "details" && { weight: "b" as const }),
  };
}
