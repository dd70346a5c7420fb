import type { Database } from "../db/open-database";

/** Past their expiry, completed exports become `expired` and their stored bytes are deleted. */
export async function expireExports(opts: { db: Database }): Promise<number> {
  const rows = await opts.db.sql.query<{ id: string }>(
    `UPDATE export_jobs SET status = 'expired' WHERE status = 'completed' AND expires_at <= now() RETURNING id`,
  );
  if (rows.length) {
    await opts.db.sql.query(`DELETE FROM export_chunks WHERE job_id = ANY($1::text[])`, [rows.map((r) => r.id)]);
  }
  return rows.length;
}
