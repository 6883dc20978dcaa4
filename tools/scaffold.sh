#!/usr/bin/env bash
# scaffold.sh DIR NAME TAGS(comma) [REFS(comma: ../x)] — creates a workspace package with the house layout.
set -euo pipefail
dir=$1 name=$2 tags=$3 refs=${4:-}
mkdir -p "$dir/src"
tagjson=$(printf '%s' "$tags" | awk -F, '{for(i=1;i<=NF;i++){printf "%s\"%s\"", (i>1?", ":""), $i}}')
refjson=""
if [ -n "$refs" ]; then refjson=$(printf '%s' "$refs" | awk -F, '{for(i=1;i<=NF;i++){printf "%s{ \"path\": \"%s\" }", (i>1?", ":""), $i}}'); fi
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<JSON
{
  "name": "@flux-ts/$name",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "exports": {
    ".": {
      "@flux-ts/source": "./src/index.ts",
      "types": "./src/index.ts",
      "default": "./src/index.ts"
    }
  },
  "scripts": {
    "test": "vitest run --passWithNoTests --reporter=default --reporter=json --outputFile.json=.test-results/report.json"
  },
  "nx": {
    "tags": [$tagjson]
  }
}
JSON
[ -f "$dir/tsconfig.json" ] || cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "outDir": "out-tsc",
    "rootDir": ".",
    "tsBuildInfoFile": "out-tsc/tsconfig.tsbuildinfo"
  },
  "include": ["src/**/*.ts", "*.ts"],
  "references": [$refjson]
}
JSON
echo "scaffolded $dir"
