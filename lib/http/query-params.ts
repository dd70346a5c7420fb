import { z } from "zod";
import { zodToAppError } from "./respond";

/**
 * Parses URL query parameters with a zod schema. Each parameter is a single string (the first
 * value); unknown parameters are ignored, as web APIs usually do.
 */
export function parseQuery<T extends z.ZodType>(url: URL, schema: T): z.infer<T> {
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in raw)) raw[k] = v;
  const r = schema.safeParse(raw);
  if (!r.success) throw zodToAppError(r.error, "invalid_parameter");
  return r.data;
}

/** An integer query parameter within [min, max], named in its error. */
export const intParam = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `${name} must be an integer`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));
