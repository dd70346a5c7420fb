import { z } from "zod";
import { intParam } from "../http/query-params";
import { SEARCH_FIELDS } from "./parse-search-query";

/** `GET /api/v1/audit/search` (ComplianceAgent seed "Search Audit Logs"): query and response. */
export const SearchQuery = z.object({
  q: z.string().trim().min(1, "is required").max(500, "at most 500 characters")
    .describe('Web-search syntax: words, "quoted phrases", -excluded, OR. Emails, ids and dotted actions work as words.'),
  fields: z.enum(SEARCH_FIELDS, { message: `must be one of ${SEARCH_FIELDS.join(", ")}` }).default("all")
    .describe("all (default), details (details and changes) or actor (id, email, name)."),
  from: z.string().optional().describe("ISO 8601 lower bound (inclusive)."),
  to: z.string().optional().describe("ISO 8601 upper bound (inclusive)."),
  page: intParam("page", 1, 100_000).default(1),
  limit: intParam("limit", 1, 100).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchResult = z.object({
  id: z.string(),
  event_type: z.string(),
  highlight: z.string().describe("HTML-escaped text; only <em>…</em> marks the hits."),
  score: z.number().gt(0).lte(1).describe("Relevance in (0, 1]: 1 for the best match."),
  timestamp: z.string(),
});

export const SearchResponse = z.object({
  success: z.literal(true),
  data: z.object({ results: z.array(SearchResult), total: z.number().int().min(0) }),
});
