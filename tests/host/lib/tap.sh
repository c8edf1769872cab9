# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/host/*.sh (kept in lib/, so tests/run does not run it as a test): one TAP line per assertion.
#   ok STATUS DESC [DETAIL]   ok when STATUS is 0; DETAIL says why not
#   expect_eq WANT GOT DESC   ok when equal; says both when not
# Failures are counted in n_fail; a script ends with [ "$n_fail" -eq 0 ].
n_fail=0
ok() {
	if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $2${3:+ ($3)}"; n_fail=$((n_fail + 1)); fi
}
expect_eq() { if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "expected '$1', saw '$2'"; fi; }
