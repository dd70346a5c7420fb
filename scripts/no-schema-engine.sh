#!/bin/sh
echo "The native Prisma schema engine is not available offline; use 'npm run db:migration' (WebAssembly engine)." >&2
exit 1
