import { SEARCH_DOCUMENT } from "./event-fields";

/**
 * The full-text vector of an event computed in JS, equal to what the database's
 * audit_search_vector(content) (prisma/definitions/functions/audit_search_vector.sql) returns for it —
 * for the events where that can be done exactly, which is nearly all of them (issue 11).
 *
 * Why: computing the vectors in SQL cost the database about 84 ms of CPU per batch of 1 000 (parse
 * the content as jsonb, split at punctuation, to_tsvector three times), plus the content sent to it
 * and the vectors' text sent back, on a 2-core machine where ingest is bound by total CPU. The SQL
 * function stays THE definition: the BEFORE INSERT trigger and every other writer use it, the search
 * API splits queries with the same expression, and every ingest batch checks one of its JS vectors
 * against it (lib/audit/append-events.ts, computeSearchVectors), falling back to SQL for good if they
 * ever differ. tests/integration/search-vector.test.ts compares the two on PGlite, PostgreSQL and
 * Citus over real and generated events.
 *
 * What the SQL does, and so what this does:
 * - three parts (A actor; B changes and details; C the rest), each its members' text joined by a
 *   space (`concat_ws`, NULLs skipped), in the order of SEARCH_DOCUMENT (lib/audit/event-fields.ts);
 * - a member's text is `->>`/`#>>` of the jsonb content: a string as it is, anything else as jsonb
 *   prints it (object keys ordered by length, then bytes; strings JSON-escaped, so a newline inside
 *   `details` reads as `\n`);
 * - every run of characters other than letters and digits becomes one space; to_tsvector('simple')
 *   of 'zzauditsep ' + that text: the separator at position 1, the words from 2, lower-cased; the
 *   separator is deleted (`ts_delete`), leaving a gap; setweight of the part's weight;
 * - the parts are concatenated (`||`): each part's positions are shifted by the largest position so far.
 *
 * It returns null — the database computes that event's vector — whenever the result could depend on
 * more than these rules: any character outside ASCII (PostgreSQL's [:alnum:] and lower-casing of
 * other scripts follow the database's locale), a NUL, a number that JS would print with an exponent
 * (jsonb prints numeric in full), a word over 2 000 characters (to_tsvector drops words over 2 047
 * bytes), more than 250 occurrences of one word (a lexeme keeps at most 256 positions) or positions
 * past 16 000 (they stop at 16 383).
 */
export function searchVectorText(event: Readonly<Record<string, unknown>>): string | null {
  let out = "";
  let offset = 0;
  let count = 0;
  for (const part of SEARCH_DOCUMENT) {
    let text = "";
    for (const path of part.paths) {
      const t = memberText(valueAt(event, path));
      if (t === FALLBACK) return null;
      if (t !== null) text = text === "" ? t : `${text} ${t}`;
    }
    if (!ASCII_WITHOUT_NUL.test(text)) return null;
    // ASCII only: lower-casing the whole text is lower-casing each word, in any locale but Turkish
    // ones (which the batch's check against the SQL would catch).
    text = text.toLowerCase();
    let position = offset + 1; // the separator's
    let last = 0;
    /** One word at the next position; false where the database's result could differ. */
    const word = (w: string): boolean => {
      position += 1;
      if (w.length > MAX_WORD || position > MAX_POSITION) return false;
      if (w === SEPARATOR) return true; // ts_delete removes the word wherever it stands
      out += `'${w}':${position}${part.weight} `;
      last = position;
      count += 1;
      return true;
    };
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      // Digits, `e`, digits, then a letter: PostgreSQL's parser reads a number in scientific
      // notation, then a word (`96e3d` is `96e3` and `d`; checked against ts_debug).
      const sci = m[0].charCodeAt(0) <= 57 ? SCIENTIFIC_THEN_WORD.exec(m[0]) : null;
      if (sci ? !word(sci[1]!) || !word(sci[2]!) : !word(m[0])) return null;
    }
    if (last > 0) offset = last;
  }
  // A lexeme keeps at most 256 positions: with few words in all, none can have more.
  if (count > MAX_OCCURRENCES && tooManyOccurrences(out)) return null;
  // One entry per occurrence: the tsvector input merges a lexeme's positions (and sorts the lexemes).
  return out.slice(0, -1);
}

function tooManyOccurrences(vector: string): boolean {
  const seen = new Map<string, number>();
  for (const entry of vector.split(" ")) {
    const lexeme = entry.slice(0, entry.lastIndexOf(":"));
    const n = (seen.get(lexeme) ?? 0) + 1;
    if (n > MAX_OCCURRENCES) return true;
    seen.set(lexeme, n);
  }
  return false;
}

const SEPARATOR = "zzauditsep";
const MAX_WORD = 2000;
const MAX_POSITION = 16_000;
const MAX_OCCURRENCES = 250;
const ASCII_WITHOUT_NUL = /^[\x01-\x7f]*$/;
const WORD = /[a-z0-9]+/g;
const FALLBACK = Symbol("fallback");
const SCIENTIFIC_THEN_WORD = /^(\d+e\d+)([a-z][a-z0-9]*)$/;

function valueAt(event: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let v: unknown = event;
  for (const k of path) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** `c ->> 'k'` / `c #>> '{a,b}'`: a string as it is, JSON null as SQL NULL, anything else as jsonb prints it. */
function memberText(v: unknown): string | null | typeof FALLBACK {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  return jsonbText(v);
}

/** jsonb's text of a value, as far as its letters and digits go (spacing does not matter here). */
function jsonbText(v: unknown): string | typeof FALLBACK {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      // Checked here too: JSON.stringify would write a lone surrogate as an ASCII escape.
      return ASCII_WITHOUT_NUL.test(v) ? JSON.stringify(v) : FALLBACK;
    case "boolean":
      return v ? "true" : "false";
    case "number": {
      if (!Number.isFinite(v)) return FALLBACK;
      const s = String(v);
      return s.includes("e") ? FALLBACK : s;
    }
    case "object": {
      if (Array.isArray(v)) {
        let out = "[";
        for (const item of v) {
          if (item === undefined) return FALLBACK;
          const t = jsonbText(item);
          if (t === FALLBACK) return FALLBACK;
          out += `${t}, `;
        }
        return `${out}]`;
      }
      const obj = v as Record<string, unknown>;
      // jsonb orders an object's keys by length, then byte by byte (ASCII here, or the text falls back).
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
      let out = "{";
      for (const k of keys) {
        if (!ASCII_WITHOUT_NUL.test(k)) return FALLBACK;
        const t = jsonbText(obj[k]);
        if (t === FALLBACK) return FALLBACK;
        out += `${JSON.stringify(k)}: ${t}, `;
      }
      return `${out}}`;
    }
    default:
      return FALLBACK;
  }
}
