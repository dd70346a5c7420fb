import type { z } from "zod";

/**
 * One reader for configuration from the environment, shared by every module that has its own
 * knobs (lib/config.ts, lib/http/http-config.ts, lib/exports/export-config.ts,
 * lib/streams/stream-config.ts): parsed with the module's zod schema on first use and cached; an
 * invalid value throws "Invalid configuration: <VARIABLE>: <why>" (start-up prints it and exits).
 * `reset` forgets the cached value (tests change the environment between suites).
 */
export function readEnvConfig<S extends z.ZodType, T = z.infer<S>>(schema: S, derive?: (env: z.infer<S>) => T): { get: () => T; reset: () => void } {
  let cached: T | undefined;
  return {
    get: () => {
      if (cached !== undefined) return cached;
      const parsed = schema.safeParse(process.env);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`Invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
      }
      cached = derive ? derive(parsed.data) : (parsed.data as T);
      return cached;
    },
    reset: () => {
      cached = undefined;
    },
  };
}
