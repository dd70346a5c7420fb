import { getDatabase } from "@/lib/db/get-database";
import { json } from "@/lib/http/respond";

/** 200 when the database answers a query, 503 otherwise. No credential needed. */
export async function GET(): Promise<Response> {
  try {
    const db = await getDatabase();
    await db.sql.query("SELECT 1");
    return json({ status: "ok", database: db.kind });
  } catch (e) {
    return json({ status: "unavailable", error: (e as Error).message }, { status: 503 });
  }
}
