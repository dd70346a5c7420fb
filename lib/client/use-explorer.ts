"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import type { EventBuckets } from "@/lib/audit/bucket-events";
import type { StoredEvent } from "@/lib/audit/event-schema";
import type { EventFacets } from "@/lib/audit/facet-events";
import type { EntryContext } from "@/lib/audit/get-entry-context";
import type { VerifyResult } from "@/lib/audit/verify-chain";
import type { EmptyExplanation } from "@/lib/audit/explain-empty";
import type { TimeWindow } from "@/lib/audit/explorer-filter";
import { apiFetch, type Query } from "./api-fetch";
import { queryKeys } from "./query-keys";

export type { EmptyExplanation, EventBuckets, EventFacets, EntryContext, StoredEvent, TimeWindow, VerifyResult };

/** What the explorer sends: the filter bar and the (valid) query box, with absolute from/to. */
export interface ExplorerQuery {
  q?: string;
  from?: string;
  to?: string;
  actor?: string;
  action?: string[];
  resource_type?: string;
  repo?: string;
  /** Time order over the whole result (server-side, keyset both ways); default newest first. */
  order?: "asc" | "desc";
}

const toParams = (f: ExplorerQuery): Query => {
  const { order: _o, ...rest } = f;
  return { ...rest, action: f.action?.length ? f.action : undefined };
};

interface EventsPage {
  data: StoredEvent[];
  next_cursor: string | null;
  total: number | null;
  /** false: more than `total` entries match (the count stops at 10 000). */
  total_exact?: boolean;
  /** The window applied: the range and the query's created:, the narrower bound winning (and which did). */
  time_window?: TimeWindow;
  /** An empty first page: which clause eliminated everything, and the likely fix. */
  empty?: EmptyExplanation;
}

/** Keyset-paged list (infinite): each page asks for entries older than the previous page's last. */
export function useExplorerEvents(filter: ExplorerQuery, pageSize = 100) {
  return useInfiniteQuery({
    queryKey: queryKeys.events.list({ ...filter, pageSize }),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<EventsPage>("/api/v1/audit/explorer/events", {
        query: { ...toParams(filter), order: filter.order, limit: pageSize, cursor: pageParam ?? undefined, total: pageParam ? "0" : undefined },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  });
}

export function useHistogram(filter: ExplorerQuery) {
  return useQuery<EventBuckets>({
    queryKey: queryKeys.events.histogram({ ...filter }),
    queryFn: ({ signal }) => apiFetch<{ data: EventBuckets }>("/api/v1/audit/explorer/histogram", { query: toParams(filter), signal }).then((r) => r.data),
    placeholderData: keepPreviousData,
  });
}

/** `enabled: false` until the list has answered, so the first rows are not queued behind the counts. */
export function useFacets(filter: ExplorerQuery, enabled = true) {
  return useQuery<EventFacets>({
    enabled,
    queryKey: queryKeys.events.facets({ ...filter }),
    queryFn: ({ signal }) => apiFetch<{ data: EventFacets }>("/api/v1/audit/explorer/facets", { query: toParams(filter), signal }).then((r) => r.data),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** One entry with chain neighbours and its resource's timeline. */
export function useEntry(id: string | null) {
  return useQuery({
    queryKey: queryKeys.events.context(id ?? ""),
    queryFn: ({ signal }) => apiFetch<{ data: EntryContext }>(`/api/v1/audit/explorer/entries/${encodeURIComponent(id ?? "")}`, { signal }).then((r) => r.data),
    enabled: !!id,
  });
}

/** Recomputes the chain over a time range (POST /api/v1/audit/verify). */
export function useVerify() {
  return useMutation({
    mutationFn: (range: { from?: string; to?: string }) => apiFetch<{ data: VerifyResult }>("/api/v1/audit/verify", { method: "POST", body: range }).then((r) => r.data),
  });
}
