# redis_lib.sh - sourced by the Redis tests (after lib.sh): which streams a result names, and
# that none of them is left on the broker.
# streams RESULT...: the topics a result names (its delivery check), one a line
streams() { python3 -c "import sys; from omb_result import load; print('\\n'.join(sorted({d['topic'] for f in sys.argv[1:] for d in load(f)['omb'].get('delivery', [])})))" "$@"; }
# left_behind RESULT...: fails unless the result names streams and none is still on Redis
# (by name: other runs may share the broker)
left_behind() {
  local t n=0
  for t in $(streams "$@"); do
    n=$((n + 1))
    [ "$(redis-cli EXISTS "$t")" = 0 ] || fail "stream $t left behind on Redis"
  done
  [ $n -gt 0 ] || fail "no streams named in $*"
}
