import type { Metadata } from "next";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "Integrity" };

/** Integrity: filled by the retention/integrity issue. Entry pages already verify their own link. */
export default function IntegrityPage() {
  return (
    <ComingSoon
      title="Integrity"
      description="Verification of the whole hash chain, with its history and retention cuts, arrives with the integrity work."
      meanwhile="Each entry page (Explorer → an entry) can already verify its chain neighbourhood."
    />
  );
}
