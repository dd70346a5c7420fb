import type { Metadata } from "next";
import { ExportCenter } from "@/components/exports/export-center";

export const metadata: Metadata = { title: "Exports" };

/** Export center: log exports, evidence packages, and their jobs (components/exports). */
export default function ExportsPage() {
  return <ExportCenter />;
}
