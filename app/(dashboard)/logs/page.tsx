import type { Metadata } from "next";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "Explorer" };

export default function LogsPage() {
  return <ComingSoon title="Explorer" description="The log explorer is being built." />;
}
