import type { Metadata } from "next";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "API tokens" };

/** Token management page (the API exists: /api/v1/admin/tokens). */
export default function TokensPage() {
  return (
    <ComingSoon
      title="API tokens"
      description="A page to mint and revoke tokens is coming."
      meanwhile={
        <>
          Meanwhile use the API: <code>POST /api/v1/admin/tokens</code> and <code>DELETE /api/v1/admin/tokens/&#123;id&#125;</code> (see docs/api.md).
        </>
      }
    />
  );
}
