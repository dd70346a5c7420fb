import type { Metadata } from "next";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "Exports" };

/** Export center: filled by the exports issue. */
export default function ExportsPage() {
  return <ComingSoon title="Exports" description="Evidence packages (CSV, JSON, signed ZIP) for an audit period arrive with the exports work." />;
}
