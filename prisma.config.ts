// Prisma CLI configuration. This machine (and many air-gapped ones) cannot download Prisma's native
// schema engine, so the CLI is pointed at a stub that exits 1: `prisma generate` works with it, and
// any migrate command fails loudly instead of "succeeding" silently. Migrations are generated and
// applied through Prisma's WebAssembly schema engine instead: see scripts/ and docs/operations.md.
import path from "node:path";
import { defineConfig } from "prisma/config";

process.env.CHECKPOINT_DISABLE ??= "1";
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(process.cwd(), "scripts", "no-schema-engine.sh");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/audit_trail" },
});
