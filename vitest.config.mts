import path from "node:path";
import { defineConfig } from "vitest/config";

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
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      { resolve: { alias }, test: { name: "pglite", include: ["tests/integration/**/*.test.ts"], env: { TEST_DB: "pglite" } } },
      { resolve: { alias }, test: { name: "postgres", include: ["tests/integration/**/*.test.ts"], env: { TEST_DB: "postgres" } } },
      { resolve: { alias }, test: { name: "process", include: ["tests/process/**/*.test.ts"], env: { TEST_DB: "postgres" }, fileParallelism: false } },
    ],
  },
});
