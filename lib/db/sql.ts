/**
 * The minimal SQL surface the domain needs beside Prisma: parameterised queries and transactions,
 * implemented once for PGlite and once for node-postgres. Hot paths (ingest, listing, verify) use
 * it directly; typed CRUD goes through Prisma. Both talk to the same database.
 */
export type SqlParam = string | number | bigint | boolean | null | Date | Uint8Array | readonly (string | null)[] | readonly number[];
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  query<T extends Row = Row>(text: string, params?: readonly SqlParam[]): Promise<T[]>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `fn` in one transaction (READ COMMITTED); commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec(script: string): Promise<void>;
}
