import { apiHandler } from "@/lib/http/api-handler";
import { text } from "@/lib/http/respond";
import { loadLogSigner } from "@/lib/integrity/load-log-signer";

/** The log's verifier key (C2SP signed-note `name+keyid+base64(0x01‖pubkey)`), one line. */
export const GET = apiHandler({ scope: "audit:read" }, async () => text(`${loadLogSigner().vkey}\n`));
