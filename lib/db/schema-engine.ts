/**
 * Prisma's schema engine (the code behind `prisma migrate`), run as WebAssembly through a driver
 * adapter, because the native engine cannot be downloaded here. Used by `npm run db:migration` to
 * generate migrations and by the tests that prove the migrated database matches schema.prisma.
 * Not used by the running service (it applies migrations with lib/db/run-migrations.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine as SchemaEngineT, MigrationList } from "@prisma/schema-engine-wasm";

const require_ = createRequire(import.meta.url);

export type SchemaEngine = SchemaEngineT;

interface PanicRegistry {
  message: string;
  set_message(m: string): void;
  get(): string;
}

export async function createSchemaEngine(opts: {
  schemaPath: string;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  log?: (line: string) => void;
}): Promise<SchemaEngine> {
  const g = globalThis as unknown as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: "",
    set_message(m: string) {
      this.message = m;
    },
    get() {
      return this.message;
    },
  };
  const pkgDir = path.dirname(require_.resolve("@prisma/schema-engine-wasm"));
  const glue = (await import(path.join(pkgDir, "schema_engine_bg.js"))) as Record<string, unknown> & {
    __wbg_set_wasm(x: WebAssembly.Exports): void;
    SchemaEngine: typeof SchemaEngineT;
  };
  const bytes = fs.readFileSync(path.join(pkgDir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue as WebAssembly.ModuleImports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  const schema = fs.readFileSync(opts.schemaPath, "utf8");
  return glue.SchemaEngine.new(
    { datamodels: [[opts.schemaPath, schema]] },
    (line: string) => opts.log?.(line),
    bindMigrationAwareSqlAdapterFactory(opts.adapterFactory),
  );
}

export function migrationList(migrationsDir: string): MigrationList {
  const dirs = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8") },
      },
    })),
  } as MigrationList;
}
