import { countTotal } from "../audit/count-events";
import type { SqlExecutor } from "../db/sql";
import { logExportFilter } from "./export-filter";
import { requireRepositories } from "./export-repositories";
import type { LogExportRequest } from "./export-schemas";

/** Rows are counted exactly up to this many (beyond: "more than"). */
export const PREVIEW_CAP = 10_000;

export interface ExportPreview {
  rows: number;
  rows_exact: boolean;
  /** What to say before the file is made: `empty` when it would hold no rows. */
  warnings: { code: "empty"; message: string }[];
}

/**
 * What a log export would hold, before it is queued (issue 12: no silent empty exports): the same
 * validation as the export itself (a bad filter or an unknown repository is a 400 naming the field),
 * the number of rows, and a warning when there would be none. Reads only; records nothing.
 */
export async function previewLogExport(opts: { sql: SqlExecutor; orgId: string; request: LogExportRequest }): Promise<ExportPreview> {
  const filter = logExportFilter(opts.request);
  await requireRepositories({ sql: opts.sql, orgId: opts.orgId, ids: opts.request.repositoryId ? [opts.request.repositoryId] : [], field: () => "repositoryId" });
  const total = await countTotal({ sql: opts.sql, orgId: opts.orgId, filter, policy: "bounded", cap: PREVIEW_CAP });
  return {
    rows: total.count,
    rows_exact: total.exact,
    warnings: total.count === 0 ? [{ code: "empty", message: "No entry matches this export's filter and period: the file would hold no rows. Widen the period or the filter." }] : [],
  };
}
