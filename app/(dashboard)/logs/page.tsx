import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { createLoader, type SearchParams } from "nuqs/server";
import { Suspense } from "react";
import { requireCurrentSession } from "@/components/auth/current-session";
import { Explorer } from "@/components/explorer/explorer";
import { explorerParsers, toExplorerQuery } from "@/components/explorer/explorer-params";
import { exploreEvents } from "@/lib/audit/explore-events";
import { ExplorerParamsSchema } from "@/lib/audit/explorer-filter";
import { queryKeys } from "@/lib/client/query-keys";
import { getDatabase } from "@/lib/db/get-database";

export const metadata: Metadata = { title: "Explorer" };

const loadState = createLoader(explorerParsers);
const PAGE_SIZE = 100;

/**
 * The explorer. The first page of rows is fetched here, with the HTML, under the same query key
 * the client uses, so the table needs no round trip after hydration; later pages come from the API.
 */
export default async function LogsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const [state, me] = await Promise.all([loadState(searchParams), requireCurrentSession()]);
  const now = Date.now();
  const filter = toExplorerQuery(state, now);
  const qc = new QueryClient();
  const params = ExplorerParamsSchema.safeParse({ ...filter, action: filter.action?.join(",") });
  if (params.success && me.org) {
    try {
      const db = await getDatabase();
      const page = await exploreEvents({ sql: db.sql, orgId: me.org.id, params: params.data, limit: PAGE_SIZE });
      qc.setQueryData(queryKeys.events.list({ ...filter, pageSize: PAGE_SIZE }), { pages: [page], pageParams: [null] });
    } catch {
      // Bad bounds in the URL and the like: the client asks the API, which explains the problem.
    }
  }
  return (
    <HydrationBoundary state={dehydrate(qc)}>
      <Suspense fallback={<div className="h-96 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" role="status" aria-label="Loading explorer" />}>
        <Explorer initialNow={now} />
      </Suspense>
    </HydrationBoundary>
  );
}
