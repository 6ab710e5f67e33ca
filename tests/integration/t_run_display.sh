#!/usr/bin/env bash
# --display: OMB's exact period lines when stdout is not a terminal (or --display omb), the
# compact lines within the terminal's width and a status line rewritten with \r on a
# terminal (or --display live); a bad value is one sentence and exit 2.
source "$(dirname "$0")/lib.sh"
loopback_driver
printf 'name: disp\ntopics: 1\nmessageSize: 64\nsubscriptionsPerTopic: 1\nproducerRate: 400\ntestDurationMinutes: 0.05\nwarmupDurationMinutes: 0\n' > w.yaml
omb_line='Pub rate .* msg/s / .* MB/s \| Pub err .* err/s \| Cons rate .* msg/s'
esc=$'\033\[K'

# Not a terminal: OMB's lines, nothing rewritten.
"$OMB" run -d loopback.yaml --period 1 -o a.json w.yaml > plain.log 2>&1 || { cat plain.log; fail "plain run"; }
grep -Eq "$omb_line" plain.log || fail "no OMB period line when stdout is a file"
grep -q "$esc" plain.log && fail "control characters in a file"

# --display live into a file: compact lines in $COLUMNS, the status line with \r.
COLUMNS=90 "$OMB" run -d loopback.yaml --period 1 --display live -o b.json w.yaml > live.log 2>&1 || { cat live.log; fail "live run"; }
grep -Eq "$omb_line" live.log && fail "OMB's long period line in live mode"
grep -Eq '\[INFO\] test pub [0-9]+/400 msg/s \| cons [0-9]+ msg/s' live.log || { cat -A live.log; fail "no compact period line"; }
grep -q $'\r\033\[Ktest 0:0[0-9], 0:0[0-9] left | pub ' live.log || { cat -A live.log; fail "no status line"; }
# Every line as the terminal shows it (after the last \r) fits in 90 columns, the table aside
tr -d '\033' < live.log | sed 's/\[K//g' | awk -F'\r' '{ print $NF }' |
  grep -E '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \[INFO\] test pub' > shown.txt
[ -s shown.txt ] || fail "no compact line to measure"
awk 'length($0) > 90 { bad = 1; print } END { exit bad }' shown.txt || fail "a compact line wider than 90"
# The result is the same either way.
$CHECK b.json --rate 400 --subs 1 --min-periods 2

# On a terminal (script(1) gives one): live by default, OMB's lines with --display omb.
if command -v script > /dev/null; then
  script -qec "COLUMNS=100 $OMB run -d loopback.yaml --period 1 -o c.json w.yaml" /dev/null > tty.log 2>&1 ||
    { cat tty.log; fail "run on a terminal"; }
  grep -Eq "$omb_line" tty.log && fail "OMB's long lines on a terminal by default"
  grep -q "$esc" tty.log || fail "no status line on a terminal"
  script -qec "$OMB run -d loopback.yaml --period 1 --display omb -o d.json w.yaml" /dev/null > tty-omb.log 2>&1 ||
    { cat tty-omb.log; fail "run on a terminal with --display omb"; }
  grep -Eq "$omb_line" tty-omb.log || fail "--display omb on a terminal: no OMB line"
  grep -q "$esc" tty-omb.log && fail "--display omb rewrote a line"
fi

expect_fail 2 "omb: --display must be auto, omb or live, got 'fancy'" -- "$OMB" run -d loopback.yaml --display fancy w.yaml
echo "ok: run display"
