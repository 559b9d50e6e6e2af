#!/usr/bin/env bash
# Builds and tests the CDK constructs and the example CDK apps; ./mvnw verify runs it after the Java build
# (profile "cdk" in pom.xml; -DskipCdk or -DskipTests leave it out). Node.js 20+ and npm from the machine;
# every package pinned in a package-lock.json, Maven artifacts from Maven Central.
#   1. cdk/: npm ci, the L1 generated from company-database-schemaversion.json, jsii, the library's tests
#   2. cdk/: jsii-pacmak carries the library to Java (cdk/dist/java, a Maven repository)
#   3. examples/cdk-app: npm ci (the library installed from cdk/ as a package), tsc, tests (with cdk synth)
#   4. examples/cdk-app/java: the Java app built and tested against cdk/dist/java and aws-cdk-lib
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 CDK_DISABLE_CLI_TELEMETRY=true
maven_args=(-B)
for arg in "$@"; do
  case "$arg" in
    --maven-offline=true) maven_args+=(-o) ;;
    --maven-offline=*) ;;
    --maven-local-repository=*) export MAVEN_LOCAL_REPOSITORY="${arg#*=}" ;;
    *) echo "usage: cdk/ci.sh [--maven-offline=true|false] [--maven-local-repository=DIR]" >&2; exit 2 ;;
  esac
done
export MAVEN_LOCAL_REPOSITORY="${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}"
# jsii-pacmak calls mvn: where the machine has none, the project's wrapper stands in.
if ! command -v mvn >/dev/null; then
  shim="$(mktemp -d)"
  printf '#!/bin/sh\nexec "%s/mvnw" "$@"\n' "$root" > "$shim/mvn"
  chmod +x "$shim/mvn"
  export PATH="$shim:$PATH"
fi

step() { printf '\n[cdk] %s (%ss)\n' "$1" "$SECONDS"; }
step "cdk/: npm ci, generate the L1, jsii, test"
npm ci --no-audit --no-fund
npm run build
npm test
step "cdk/: jsii-pacmak to Java"
# The example needs the classes, not the javadoc jar, which takes most of pacmak's Maven run.
MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.javadoc.skip=true" npm run package:java
step "examples/cdk-app: npm ci, tsc, test"
cd "$root/examples/cdk-app"
npm ci --no-audit --no-fund
npm run build
npm test
step "examples/cdk-app/java: mvn verify"
cd "$root/examples/cdk-app/java"
"$root/mvnw" "${maven_args[@]}" -Dmaven.repo.local="$MAVEN_LOCAL_REPOSITORY" verify
step "done"
