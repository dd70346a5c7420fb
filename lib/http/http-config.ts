import type { BlockList } from "node:net";
import { z } from "zod";
import { readEnvConfig } from "../read-env-config";
import { parseTrustedProxies } from "./parse-trusted-proxies";

/**
 * Environment for the shared HTTP behaviour (rate limits). Read once; README's configuration
 * table lists these variables. `AUDIT_RATE_LIMIT=0` turns rate limiting off.
 */
const HttpEnvSchema = z.object({
  AUDIT_RATE_LIMIT: z.coerce.number().int().min(0).default(3000),
  AUDIT_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Proxies whose X-Forwarded-For is believed (lib/http/client-address.ts); empty: none. */
  AUDIT_TRUSTED_PROXIES: z.string().default(""),
});

export type HttpConfig = z.infer<typeof HttpEnvSchema> & { trustedProxies: BlockList };

const config = readEnvConfig(HttpEnvSchema, (env): HttpConfig => ({ ...env, trustedProxies: parseTrustedProxies(env.AUDIT_TRUSTED_PROXIES) }));
export const getHttpConfig: () => HttpConfig = config.get;
export const resetHttpConfigForTests: () => void = config.reset;
