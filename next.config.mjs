/** @type {import('next').NextConfig} */
const nextConfig = {
  // NEXT_DIST_DIR lets several builds live side by side (tests, parallel development). Default .next.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  // The API gzips its own JSON (lib/http/finalize-response.ts); Next's compression on top made
  // browsers receive gzip inside gzip (a "not JSON" body). Pages are small; a proxy may compress.
  compress: false,
};

export default nextConfig;
