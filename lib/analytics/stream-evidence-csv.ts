import type { SqlExecutor } from "../db/sql";
import { F, listEvents, type EventCursor } from "../audit/query-events";
import { verifyDownloadSignature } from "../exports/sign-download";
import { csvHeader, csvLines } from "../exports/format-entries";
import { decodeSubject } from "./collect-soc2-evidence";

const PAGE = 2000;

/**
 * Checks a signed artifact link and returns the CSV of its events (newest first), streamed page by
 * page (keyset) so memory stays flat however many events match.
 */
export async function streamEvidenceCsv(opts: {
  sql: SqlExecutor;
  subject: string | null;
  expires: string | null;
  sig: string | null;
  now?: Date;
}): Promise<{ fileName: string; body: ReadableStream<Uint8Array> }> {
  await verifyDownloadSignature({ sql: opts.sql, exportId: opts.subject ?? "", expires: opts.expires, sig: opts.sig, now: opts.now });
  const { subject, category } = decodeSubject(opts.subject ?? "");
  const filter = { where: F.in("action", ...category.eventTypes), from: subject.from, to: subject.to };
  const enc = new TextEncoder();
  let after: EventCursor | undefined;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(enc.encode(csvHeader()));
      }
      const rows = await listEvents({ sql: opts.sql, orgId: subject.orgId, filter, limit: PAGE, after });
      if (rows.length) controller.enqueue(enc.encode(csvLines(rows)));
      if (rows.length < PAGE) return controller.close();
      const last = rows[rows.length - 1]!;
      after = { timestamp: new Date(last.timestamp), seq: last.seq };
    },
  });
  const slug = subject.criteria.toLowerCase().replace(".", "_");
  return { fileName: `${slug}_${subject.type}_${subject.from.toISOString().slice(0, 10)}.csv`, body };
}
