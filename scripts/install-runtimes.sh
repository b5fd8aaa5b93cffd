#!/usr/bin/env bash
# Installs the runtimes that `npm run test:runtimes` runs the package in: each
# from its npm package into .runtimes/<name>/ (git-ignored), and Chromium from
# Debian. Idempotent: a runtime whose pinned version already runs is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned versions. Change one here and the next run replaces that runtime.
NODE22=22.23.3
NODE24=24.21.0
BUN=1.4.5
DENO=2.9.6
WORKERD=1.20261117.1

export DENO_NO_UPDATE_CHECK=1

# install NAME PACKAGE VERSION BIN: npm-installs PACKAGE@VERSION into .runtimes/NAME,
# unless .runtimes/NAME/node_modules/.bin/BIN is that version and runs.
install() {
  local name=$1 package=$2 version=$3 bin=$4
  local dir=".runtimes/$name"
  local manifest="$dir/node_modules/$package/package.json"
  if [ -f "$manifest" ] &&
    [ "$(node -p "require('./$manifest').version")" = "$version" ] &&
    "$dir/node_modules/.bin/$bin" --version >/dev/null 2>&1; then
    echo "install-runtimes: $name $version already installed"
    return
  fi
  echo "install-runtimes: installing $package@$version into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  # Each package fetches its platform binary in an install script (from the npm
  # registry too), which npm 11 runs only when allowScripts names it.
  cat >"$dir/package.json" <<JSON
{
  "private": true,
  "dependencies": { "$package": "$version" },
  "allowScripts": { "$package": true }
}
JSON
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error
  "$dir/node_modules/.bin/$bin" --version >/dev/null
}

install node22 node "$NODE22" node
install node24 node "$NODE24" node
install bun bun "$BUN" bun
install deno deno "$DENO" deno
install workerd workerd "$WORKERD" workerd

if [ -x /usr/bin/chromium ]; then
  echo "install-runtimes: chromium already installed"
else
  echo "install-runtimes: installing chromium from apt"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
