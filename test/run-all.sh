#!/usr/bin/env bash
# Runs every test: type checks, the unit and integration suites (vitest), and the browser
# end-to-end suites (Playwright driving Chromium through the browser shell).
#
# On Linux the whole run happens inside a private D-Bus session with an unlocked
# gnome-keyring, so keytar talks to a real Secret Service without touching the
# developer's own keyring.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "$(uname -s)" == "Linux" && -z "${CLINICGATE_TEST_BUS:-}" ]]; then
  for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null; then
      echo "error: $tool is missing; install the Debian packages dbus and gnome-keyring (see README)" >&2
      exit 1
    fi
  done
  exec dbus-run-session -- env CLINICGATE_TEST_BUS=1 bash "$0" "$@"
fi

if [[ -n "${CLINICGATE_TEST_BUS:-}" ]]; then
  # A throwaway keyring in a temporary folder, so the developer's own keyrings are never touched.
  # The password only unlocks this keyring, which lives as long as the test bus.
  keyring_home=$(mktemp -d)
  trap 'rm -rf "$keyring_home"' EXIT
  printf 'clinicgate-test-keyring' |
    XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  export CLINICGATE_REQUIRE_KEYCHAIN=1
fi

echo "== type checks"
npm run --silent typecheck
npx tsc -p renderer/tsconfig.json --noEmit

echo "== build"
npm run --silent build

echo "== unit and integration tests"
npx vitest run

echo "== end-to-end browser tests"
npx playwright test -c test/e2e/playwright.config.ts
