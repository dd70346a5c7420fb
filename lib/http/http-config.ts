import { z } from "zod";

/**
 * Environment for the shared HTTP behaviour (rate limits). Read once; README's configuration
 * table lists these variables. `AUDIT_RATE_LIMIT=0` turns rate limiting off.
 */
const HttpEnvSchema = z.object({
  AUDIT_RATE_LIMIT: z.coerce.number().int().min(0).default(3000),
  AUDIT_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});

export type HttpConfig = z.infer<typeof HttpEnvSchema>;

let cached: HttpConfig | undefined;

export function getHttpConfig(): HttpConfig {
  if (cached) return cached;
  const parsed = HttpEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  cached = parsed.data;
  return cached;
}

export function resetHttpConfigForTests(): void {
  cached = undefined;
}
