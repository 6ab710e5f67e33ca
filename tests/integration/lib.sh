# lib.sh - sourced by the integration tests: a scratch directory, the binary, and helpers.
set -euo pipefail
: "${OMB:?OMB must point at the omb binary (ctest sets it)}"
: "${OMB_SOURCE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${OMB_SHARED:=$OMB_SOURCE/../shared}"
# scripts/omb_result.py (a result read with its sidecar) for the tests' Python.
export PYTHONPATH="$OMB_SOURCE/scripts${PYTHONPATH:+:$PYTHONPATH}"
CHECK="python3 $OMB_SOURCE/tests/integration/check_result.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omb-it.XXXXXX")
BROKER="$OMB_SOURCE/scripts/broker.sh"
BROKERS_STARTED=()
# What every test's exit does: the brokers it started are stopped, its scratch dir goes.
lib_cleanup() {
  local b
  for b in "${BROKERS_STARTED[@]}"; do "$BROKER" stop "$b" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap lib_cleanup EXIT
cd "$WORK"

# need_driver NAME: skip the test (77) when this omb was built without the NAME driver.
need_driver() {
  "$OMB" --help 2>&1 | grep -qE "drivers built in:.*\b$1\b" ||
    { echo "skip: omb built without the $1 driver"; exit 77; }
}

# broker_up NAME [start options]: NAME from scripts/broker.sh unless it runs already;
# stopped at exit only if started here.
broker_up() {
  local name=$1
  shift
  "$BROKER" status "$name" >/dev/null 2>&1 && return 0
  "$BROKER" start "$name" "$@" >"broker-$name.log" 2>&1 ||
    { cat "broker-$name.log"; fail "cannot start $name with scripts/broker.sh"; }
  BROKERS_STARTED+=("$name")
}
# broker_started NAME: whether this test started NAME (so it may change its settings).
broker_started() { [[ " ${BROKERS_STARTED[*]} " == *" $1 "* ]]; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_fail CODE PATTERN -- CMD...: CMD must exit with CODE and print PATTERN (grep -E).
expect_fail() {
  local code=$1 pattern=$2
  shift 3
  set +e
  "$@" >out.log 2>&1
  local rc=$?
  set -e
  [ "$rc" -eq "$code" ] || { cat out.log; fail "expected exit $code, got $rc: $*"; }
  grep -Eq -- "$pattern" out.log || { cat out.log; fail "expected output matching '$pattern': $*"; }
}

loopback_driver() { printf 'name: Loopback\ndriverClass: loopback\n' > loopback.yaml; }
