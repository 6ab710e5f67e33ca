#!/usr/bin/env bash
# Second README command: set up, build with -Werror, run every test; then the same suite
# under ASan+UBSan and under TSan. `scripts/test.sh quick` skips the sanitizer passes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
scripts/build.sh build -DOMB_WERROR=ON
ctest --test-dir build --output-on-failure -j "$jobs"
[ "${1:-}" = quick ] && exit 0

echo "== ASan + UBSan"
scripts/build.sh build-asan -DOMB_WERROR=ON -DOMB_SANITIZE=address
OMB_RATE_TOLERANCE_SCALE=4 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE slow

echo "== TSan"
scripts/build.sh build-tsan -DOMB_WERROR=ON -DOMB_SANITIZE=thread
OMB_RATE_TOLERANCE_SCALE=4 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure -j "$jobs" -LE slow \
  -E 't_kafka_mock_run|t_omb_kafka_drivers'
# (Those two run a dozen Kafka clients each: under TSan on two cores they starve. The Kafka
# driver's threads are still covered under TSan by t_multi_run and t_kafka_backlog.)
