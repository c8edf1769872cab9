// SPDX-License-Identifier: GPL-2.0
/* svatop trace's text line (src/view/trace_text.c), built by hand since it
 * left the printf formats, must stay byte for byte what those formats
 * printed: compared here against them over random events (escaped names,
 * negative users, errno names, every flag, nanosecond ties at 500). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/escape.h"
#include "common/events.h"
#include "view/trace.h"

/* The formats the line was printed with before (the reference). */
static void reference_line(FILE *out, const struct svatop_event *ev, uint64_t first_ts)
{
	const char *en = errno_name(ev->ret);
	char d[20], res[32];

	if (ev->ret == 0)
		snprintf(res, sizeof(res), "ok");
	else if (en)
		snprintf(res, sizeof(res), "%s(%d)", en, ev->ret);
	else
		snprintf(res, sizeof(res), "err %d", ev->ret);
	fprintf(out, "%-12.6f %-7u %-15.15s %-13s %-14.14s ",
		(ev->ts_ns - first_ts) / 1e9, ev->tgid,
		ESCAPED(ev->comm, "-"), event_type_name(ev->type),
		ESCAPED(ev->dev_name, "-"));
	if (ev->pasid)
		fprintf(out, "%-7u ", ev->pasid);
	else
		fprintf(out, "%-7s ", "-");
	if (ev->domain)
		snprintf(d, sizeof(d), "%llx", (unsigned long long)ev->domain);
	fprintf(out, "%-16s ", ev->domain ? d : "-");
	if (ev->type == SVATOP_EV_BIND || ev->type == SVATOP_EV_UNBIND ||
	    ev->type == SVATOP_EV_ATTACH || ev->type == SVATOP_EV_DETACH ||
	    ev->type == SVATOP_EV_DOMAIN_FREE || ev->type == SVATOP_EV_SNAP_DOMAIN ||
	    ev->type == SVATOP_EV_SNAP_BOND)
		fprintf(out, "%-5d ", ev->domain_users);
	else
		fprintf(out, "%-5s ", "-");
	fprintf(out, "%s%s%s%s\n", res,
		ev->flags & SVATOP_F_DERIVED ? " (derived)" : "",
		ev->flags & SVATOP_F_EXEC ? " (exec)" : "",
		ev->flags & SVATOP_F_CHILD_SHARES ? " CHILD SHARES PARENT iommu_mm" : "");
}

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static void random_name(char *dst, size_t len, uint64_t *s)
{
	size_t i, n = rnd(s) % (len + 1);

	memset(dst, 0, len);
	for (i = 0; i < n && i < len; i++) {
		unsigned c = rnd(s) % 5 ? 'a' + rnd(s) % 26 : rnd(s) % 256;

		dst[i] = (char)(c ? c : '\\');
	}
}

static void test_line_equals_printf_formats(void **state)
{
	static const int32_t rets[] = { 0, -1, -12, -16, -22, -28, -95, -4095, -100000, 7,
					INT32_MIN };
	struct svatop_event ev;
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	uint64_t seed = 7, first = 1000000000ULL;
	char prev_comm[SVATOP_COMM_LEN] = "", prev_dev[SVATOP_NAME_LEN] = "";
	FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);
	int i;

	(void)state;
	assert_non_null(fa);
	assert_non_null(fb);
	for (i = 0; i < 20000; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = 1 + rnd(&seed) % (SVATOP_EV_MAX - 1);
		ev.ts_ns = first + rnd(&seed) * (rnd(&seed) % 3 ? 1 : 100000);
		if (i % 5 == 0)	/* exact ties, and every neighbour of one */
			ev.ts_ns = first + (rnd(&seed) % 100000) * 1000 + 499 + i % 3;
		ev.tgid = rnd(&seed) % 3 ? rnd(&seed) % 5000000 : UINT32_MAX;
		random_name(ev.comm, sizeof(ev.comm), &seed);
		random_name(ev.dev_name, sizeof(ev.dev_name), &seed);
		/* the names of the line before (trace_text.c keeps the last
		 * escaped ones), and names that differ only after their NUL */
		if (i % 3 == 1) {
			memcpy(ev.comm, prev_comm, sizeof(ev.comm));
			memcpy(ev.dev_name, prev_dev, sizeof(ev.dev_name));
			if (i % 2) {
				ev.comm[sizeof(ev.comm) - 1] ^= 1;
				ev.dev_name[sizeof(ev.dev_name) - 1] ^= 1;
			}
		}
		memcpy(prev_comm, ev.comm, sizeof(ev.comm));
		memcpy(prev_dev, ev.dev_name, sizeof(ev.dev_name));
		ev.pasid = rnd(&seed) % 4 ? rnd(&seed) % 0x100000 : 0;
		ev.domain = rnd(&seed) % 4 ? 0xffff000000000000ULL | rnd(&seed) << 16 : rnd(&seed) % 2;
		ev.domain_users = (int32_t)(rnd(&seed) % 7) - 3;
		if (i % 97 == 0)
			ev.domain_users = i % 2 ? INT32_MIN : INT32_MAX;
		ev.ret = rets[rnd(&seed) % (sizeof(rets) / sizeof(rets[0]))];
		ev.flags = rnd(&seed) & 0x7ff;
		trace_print_text(fa, &ev, first, NULL, 0);
		reference_line(fb, &ev, first);
	}
	fclose(fa);
	fclose(fb);
	assert_int_equal(alen, blen);
	if (memcmp(a, b, alen)) {
		size_t k = 0;

		while (a[k] == b[k])
			k++;
		fail_msg("differs at byte %zu: '%.60s' vs '%.60s'", k, a + k, b + k);
	}
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_equals_printf_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
