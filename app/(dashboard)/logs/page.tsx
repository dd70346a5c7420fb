import type { Metadata } from "next";
import { Suspense } from "react";
import { Explorer } from "@/components/explorer/explorer";

export const metadata: Metadata = { title: "Explorer" };

export default function LogsPage() {
  return (
    <Suspense fallback={<div className="h-96 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" role="status" aria-label="Loading explorer" />}>
      <Explorer />
    </Suspense>
  );
}
