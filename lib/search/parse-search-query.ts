import type { TextSearch } from "../audit/query-events";
import { AppError } from "../errors";

export const SEARCH_FIELDS = ["all", "details", "actor"] as const;
export type SearchFields = (typeof SEARCH_FIELDS)[number];

/** Words, phrases and ORs of one search (each becomes a term of the tsquery): bounded, like its length. */
export const MAX_SEARCH_TERMS = 32;

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
  if (parts.length > MAX_SEARCH_TERMS) {
    throw new AppError("invalid_parameter", `q: at most ${MAX_SEARCH_TERMS} words or phrases (got ${parts.length})`, { field: "q" });
  }
  return {
    query: parts.join(" "),
    original,
    ...(fields === "actor" && { weight: "a" as const }),
    ...(fields === "details" && { weight: "b" as const }),
  };
}

/**
 * Exact words or phrases, all required (the explorer's free words, and the values of its exact
 * keys that the index holds: ip, session, request, resource id), as a TextSearch: each is quoted,
 * so the query layer matches it as a phrase of its parts through the search index (GIN). Values
 * without a letter or digit cannot be looked up in the index and are left out (the caller keeps
 * its own exact condition).
 */
export function phrasesTextSearch(values: readonly string[]): TextSearch | undefined {
  const parts = values.filter((v) => /[\p{L}\p{N}]/u.test(v)).map((v) => `"${v.replaceAll('"', " ")}"`);
  return parts.length ? { query: parts.join(" "), original: values.join(" ") } : undefined;
}
