import path from "node:path";
import { defineConfig } from "vitest/config";

const timeouts = { testTimeout: 120_000, hookTimeout: 180_000 };
const alias = {
  "@": path.resolve(import.meta.dirname),
  "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
};

/**
 * Three kinds of suites. `integration` runs twice: once on PGlite, once on the PostgreSQL server in
 * TEST_DATABASE_URL (each run creates and drops its own database). `process` starts real servers.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { ...timeouts, name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      { resolve: { alias }, test: { ...timeouts, name: "pglite", include: ["tests/integration/**/*.test.ts"], env: { TEST_DB: "pglite" } } },
      { resolve: { alias }, test: { ...timeouts, name: "postgres", include: ["tests/integration/**/*.test.ts"], env: { TEST_DB: "postgres" } } },
      { resolve: { alias }, test: { ...timeouts, name: "process", include: ["tests/process/**/*.test.ts"], env: { TEST_DB: "postgres" }, fileParallelism: false } },
    ],
  },
});
