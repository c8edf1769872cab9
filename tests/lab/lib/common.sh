# SPDX-License-Identifier: GPL-2.0
# The lab test harness is tests/lab/lib/harness.sh; this name stays for the
# scripts that still source it (tests/kernel/).
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
