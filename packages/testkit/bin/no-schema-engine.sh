#!/bin/sh
# Stands in for Prisma's native schema engine, which the CLI downloads from binaries.prisma.sh (not
# the npm registry) before any command. `prisma generate` never runs it; anything that would says so.
echo "the native Prisma schema engine is not installed (it is not on the npm registry)" >&2
exit 1
