# lib.sh - sourced by the integration tests: a scratch directory, the binary, and helpers.
set -euo pipefail
: "${OMB:?OMB must point at the omb binary (ctest sets it)}"
: "${OMB_SOURCE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${OMB_SHARED:=$OMB_SOURCE/../shared}"
# scripts/omb_result.py (a result read with its sidecar) for the tests' Python.
export PYTHONPATH="$OMB_SOURCE/scripts${PYTHONPATH:+:$PYTHONPATH}"
CHECK="python3 $OMB_SOURCE/tests/integration/check_result.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omb-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

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
