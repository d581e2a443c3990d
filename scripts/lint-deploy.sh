#!/usr/bin/env bash
# Lints the images and manifests without Docker or Kubernetes (CI runs it from scripts/test.sh):
#   - both Dockerfiles: dockerfile-utils' linter + the fields the project requires;
#   - every kustomization under k8s/ rendered by a tiny renderer (resources + strategic-merge/delete
#     patches only; it refuses anything else, so what it renders is what kustomize renders), each object
#     validated against the Kubernetes schemas that kubernetes-models bundles, the Archon patch applied
#     to a sample Archon Deployment and validated;
#   - a field test of the restricted security context, Recreate + RWO volume, secretKeyRef, resources
#     and probes (in place of checkov).
# The Node.js packages (scripts/lint-deploy/package-lock.json) are installed once into target/deploy-lint
# from the npm registry; after that it runs offline. (hadolint, kubernetes-validate and checkov come from
# PyPI, which this project's machines cannot reach; see README, "Deploy".)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/target/deploy-lint"
src="$root/scripts/lint-deploy"
mkdir -p "$dir"
if ! cmp -s "$src/package-lock.json" "$dir/package-lock.json" || [ ! -d "$dir/node_modules" ]; then
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "== deploy lint (Dockerfiles, k8s manifests)"
NODE_PATH="$dir/node_modules" node "$src/check.js" "$root"
