// SPDX-License-Identifier: GPL-2.0
/* The JSON line of an event: valid JSON whatever the kernel names hold,
 * the documented keys in order, flags and stacks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "common/events.h"

static json_t *as_json(const struct svatop_event *ev, char frames[][64], int n)
{
	char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;
	json_t *o;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(event_write_json(f, ev, frames, n), 0);
	fclose(f);
	assert_true(len > 0 && buf[len - 1] == '\n');
	o = json_loads(buf, 0, &jerr);
	if (!o)
		fail_msg("not JSON (%s): %s", jerr.text, buf);
	free(buf);
	return o;
}

static void test_keys_in_documented_order(void **state)
{
	static const char *const keys[] = {
		"v", "event", "ts_ns", "cpu", "pid", "tgid", "comm", "mm", "pasid",
		"domain", "handle", "dev", "dev_name", "iommu", "iommu_name", "aux",
		"aux2", "ret", "errno", "handle_users", "domain_users", "stack_id", "flags",
	};
	struct svatop_event ev = { .type = SVATOP_EV_BIND, .version = 1, .ts_ns = 123,
				   .pid = 7, .tgid = 7, .mm = 0xffff888000001000ull,
				   .pasid = 5, .ret = -95, .handle_users = -1 };
	json_t *o;
	void *it;
	size_t i = 0;

	(void)state;
	strcpy(ev.comm, "svaload");
	strcpy(ev.dev_name, "svamock-dev.0");
	o = as_json(&ev, NULL, 0);
	for (it = json_object_iter(o); it; it = json_object_iter_next(o, it), i++) {
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(json_object_iter_key(it), keys[i]);
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(json_string_value(json_object_get(o, "event")), "bind");
	assert_string_equal(json_string_value(json_object_get(o, "mm")), "0xffff888000001000");
	assert_int_equal(json_integer_value(json_object_get(o, "pasid")), 5);
	assert_string_equal(json_string_value(json_object_get(o, "errno")), "EOPNOTSUPP");
	assert_true(json_is_null(json_object_get(o, "domain")));
	assert_true(json_is_null(json_object_get(o, "iommu_name")));
	assert_int_equal(json_integer_value(json_object_get(o, "handle_users")), -1);
	json_decref(o);
}

static void test_hostile_names_stay_valid_json(void **state)
{
	struct svatop_event ev = { .type = SVATOP_EV_EXIT, .version = 1 };
	json_t *o;

	(void)state;
	/* a comm can be anything a process names itself; not NUL terminated
	 * when it fills the field */
	memcpy(ev.comm, "a\"b\\c\n\x01\xff\x7f" "0123456", sizeof(ev.comm));
	memset(ev.dev_name, 'x', sizeof(ev.dev_name));
	o = as_json(&ev, NULL, 0);
	/* 16 bytes, the non-ASCII one escaped as U+00FF (2 bytes in UTF-8) */
	assert_int_equal(strlen(json_string_value(json_object_get(o, "comm"))), 17);
	assert_memory_equal(json_string_value(json_object_get(o, "comm")), "a\"b\\c\n\x01", 7);
	assert_int_equal(strlen(json_string_value(json_object_get(o, "dev_name"))),
			 sizeof(ev.dev_name));
	json_decref(o);
}

static void test_flags_and_stack(void **state)
{
	struct svatop_event ev = { .type = SVATOP_EV_EXIT, .version = 1,
				   .flags = SVATOP_F_LEADER_EXIT | SVATOP_F_EXEC |
					    SVATOP_F_FALLBACK };
	char frames[2][64] = { "iommu_sva_bind_device+0xed", "svamock_ioctl+0xf5" };
	json_t *o, *fl;

	(void)state;
	o = as_json(&ev, frames, 2);
	fl = json_object_get(o, "flags");
	assert_int_equal(json_array_size(fl), 2);
	assert_string_equal(json_string_value(json_array_get(fl, 0)), "kprobe");
	assert_string_equal(json_string_value(json_array_get(fl, 1)), "exec");
	assert_int_equal(json_array_size(json_object_get(o, "stack")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "stack"), 1)),
			    "svamock_ioctl+0xf5");
	json_decref(o);
	ev.flags = SVATOP_F_LEADER_EXIT;
	o = as_json(&ev, NULL, 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "flags"), 0)),
			    "process-exit");
	assert_null(json_object_get(o, "stack"));
	json_decref(o);
}

static void test_every_type_has_a_name(void **state)
{
	unsigned int t;

	(void)state;
	for (t = 1; t < SVATOP_EV_MAX; t++) {
		assert_string_not_equal(event_type_name(t), "unknown");
		assert_int_equal(event_type_from_name(event_type_name(t)), t);
	}
	assert_string_equal(event_type_name(SVATOP_EV_MAX), "unknown");
}

/* Regression (issue 17): ret is the kernel's or a recording's; errno_name
 * negated INT_MIN (signed overflow, UBSan aborts this test binary). */
static void test_errno_name_extremes(void **state)
{
	struct svatop_event ev = { .type = SVATOP_EV_BIND, .ret = INT32_MIN };
	json_t *o;

	(void)state;
	assert_null(errno_name(INT32_MIN));
	assert_null(errno_name(INT32_MAX));
	assert_string_equal(errno_name(-ENOSPC), "ENOSPC");
	assert_string_equal(errno_name(ENOSPC), "ENOSPC");
	o = as_json(&ev, NULL, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "ret")), INT32_MIN);
	assert_true(json_is_null(json_object_get(o, "errno")));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_in_documented_order),
		cmocka_unit_test(test_hostile_names_stay_valid_json),
		cmocka_unit_test(test_flags_and_stack),
		cmocka_unit_test(test_every_type_has_a_name),
		cmocka_unit_test(test_errno_name_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
