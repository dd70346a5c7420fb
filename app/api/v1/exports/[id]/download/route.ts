import { readExportFile } from "@/lib/exports/read-export-file";
import { publicApiHandler } from "@/lib/http/api-handler";
import { clientAddress } from "@/lib/http/client-address";
import { attachmentDisposition } from "@/lib/http/content-disposition";

type Ctx = { params: Promise<{ id: string }> };

/**
 * Signed download (no bearer header: the HMAC signature is the credential). 403 without a valid
 * signature, 410 once expired. The file streams from the database chunk by chunk; the download is
 * audited only once its response has been built (so a download that cannot be served leaves no record).
 */
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const { id } = await ctx.params;
  return publicApiHandler(async ({ url, db }) => {
    const file = await readExportFile({
      db,
      id,
      expires: url.searchParams.get("expires"),
      sig: url.searchParams.get("sig"),
      ip: clientAddress(req.headers),
      userAgent: req.headers.get("user-agent"),
    });
    const headers = new Headers({
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
      "Content-Disposition": attachmentDisposition(file.fileName),
      "Cache-Control": "private, no-store",
    });
    const res = new Response(file.body, { status: 200, headers });
    await file.recordDownload();
    return res;
  })(req);
}
