import type { Prisma } from "./generated/client";
import type { Row, SqlExecutor, SqlParam } from "./sql";

/** int8 comes back from Prisma's raw queries as bigint; the SqlExecutor contract (both drivers) is number. */
function normalize(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(normalize);
  return v;
}

/**
 * The SqlExecutor surface over a Prisma interactive transaction, so raw SQL (the audit append) and
 * Prisma's typed CRUD run in ONE transaction. Values come back as from `db.sql`: int8 as number,
 * timestamptz as Date, json/jsonb parsed, bytea as Uint8Array (numeric as number, where `db.sql`
 * on node-postgres gives a string: cast numerics in SQL when the type matters).
 */
export function sqlOverPrisma(ptx: Prisma.TransactionClient): SqlExecutor {
  return {
    async query<T extends Row = Row>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const rows = await ptx.$queryRawUnsafe<Row[]>(text, ...params);
      return rows.map((r) => {
        const out: Row = {};
        for (const k of Object.keys(r)) out[k] = normalize(r[k]);
        return out as T;
      });
    },
  };
}
