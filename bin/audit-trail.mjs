#!/usr/bin/env node
// `npx audit-trail …` (docs/exports.md): runs lib/cli/main.ts through tsx (a runtime dependency),
// so the verifier is the same TypeScript the service runs, with no build step. No database and no
// Next.js code is loaded.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { main } = await tsImport("../lib/cli/main.ts", { parentURL: import.meta.url, tsconfig: path.join(root, "tsconfig.json") });
process.exitCode = await main(process.argv.slice(2));
