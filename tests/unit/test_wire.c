// SPDX-License-Identifier: GPL-2.0
/* The ring buffer's lean records back into events: each type cut after its
 * last field (the rest 0, stack_id -1), names once per device filled into
 * each event naming it and refreshed when they change, malformed records
 * refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "source/wire.h"

static void dev_record(struct svatop_wire_dev *r, uint64_t dev, uint64_t iommu,
		       const char *name, const char *iommu_name)
{
	memset(r, 0, sizeof(*r));
	r->w.type = SVATOP_WIRE_DEV;
	r->w.size = sizeof(*r);
	r->w.dev = dev;
	r->w.iommu = iommu;
	strcpy(r->dev_name, name);
	strcpy(r->iommu_name, iommu_name);
}

/* The names of DEV, as the BPF side sends them once. */
static void announce(struct wire_names *w, uint64_t dev, uint64_t iommu,
		     const char *name, const char *iommu_name)
{
	struct svatop_wire_dev r;
	struct svatop_event out;

	dev_record(&r, dev, iommu, name, iommu_name);
	assert_int_equal(wire_decode(w, &r, sizeof(r), &out), 0);
}

/* What the BPF side reserves: SIZE bytes of the record; what lies beyond
 * them in the ring must not reach the event. */
static void wire_event(unsigned char *buf, const struct svatop_wire *w, uint16_t size)
{
	memset(buf, 0xa5, sizeof(struct svatop_wire));
	memcpy(buf, w, size);
	memcpy(buf + offsetof(struct svatop_wire, size), &size, sizeof(size));
}

static void test_detach_cut_after_iommu_gets_names(void **state)
{
	struct wire_names w;
	struct svatop_wire ev = { 0 };
	struct svatop_event out;
	unsigned char buf[sizeof(struct svatop_wire)];

	(void)state;
	assert_int_equal(wire_names_init(&w), 0);
	announce(&w, 0xffff1000, 0xffff2000, "svamock-dev.0", "svamock-iommu0");
	ev.type = SVATOP_EV_DETACH;
	ev.ts_ns = 42;
	ev.cpu = 1;
	ev.pid = 8;
	ev.tgid = 7;
	strcpy(ev.comm, "svaload");
	ev.flags = SVATOP_F_SVA_DOMAIN;
	ev.pasid = 3;
	ev.mm = 0xffff3000;
	ev.domain = 0xffff4000;
	ev.domain_users = 1;
	ev.dev = 0xffff1000;
	ev.iommu = 0xffff2000;
	ev.handle = 0xdead;	/* past the cut: never read */
	wire_event(buf, &ev, SVATOP_WIRE_UPTO(iommu));
	assert_int_equal(wire_decode(&w, buf, SVATOP_WIRE_UPTO(iommu), &out), 1);
	assert_int_equal(out.type, SVATOP_EV_DETACH);
	assert_int_equal(out.version, SVATOP_ABI_VERSION);
	assert_int_equal(out.ts_ns, 42);
	assert_int_equal(out.cpu, 1);
	assert_int_equal(out.pid, 8);
	assert_int_equal(out.tgid, 7);
	assert_string_equal(out.comm, "svaload");
	assert_int_equal(out.flags, SVATOP_F_SVA_DOMAIN);
	assert_int_equal(out.pasid, 3);
	assert_int_equal(out.mm, 0xffff3000);
	assert_int_equal(out.domain, 0xffff4000);
	assert_int_equal(out.domain_users, 1);
	assert_int_equal(out.dev, 0xffff1000);
	assert_int_equal(out.iommu, 0xffff2000);
	assert_int_equal(out.handle, 0);
	assert_int_equal(out.handle_users, 0);
	assert_int_equal(out.stack_id, -1);
	assert_int_equal(out.aux, 0);
	assert_int_equal(out.aux2, 0);
	assert_string_equal(out.dev_name, "svamock-dev.0");
	assert_string_equal(out.iommu_name, "svamock-iommu0");
	/* A device never announced: no names, nothing invented. */
	ev.dev = 0xffff5000;
	wire_event(buf, &ev, SVATOP_WIRE_UPTO(iommu));
	assert_int_equal(wire_decode(&w, buf, sizeof(buf), &out), 1);
	assert_int_equal(out.dev, 0xffff5000);
	assert_string_equal(out.dev_name, "");
	assert_string_equal(out.iommu_name, "");
	wire_names_fini(&w);
}

static void test_whole_and_head_only_records(void **state)
{
	struct wire_names w;
	struct svatop_wire ev = { 0 };
	struct svatop_event out;
	unsigned char buf[sizeof(struct svatop_wire)];

	(void)state;
	assert_int_equal(wire_names_init(&w), 0);
	ev.type = SVATOP_EV_FORK;
	ev.mm = 1;
	ev.handle = 2;
	ev.handle_users = 3;
	ev.stack_id = 4;
	ev.aux = 5;
	ev.aux2 = 6;
	wire_event(buf, &ev, sizeof(ev));
	assert_int_equal(wire_decode(&w, buf, sizeof(buf), &out), 1);
	assert_int_equal(out.mm, 1);
	assert_int_equal(out.handle, 2);
	assert_int_equal(out.handle_users, 3);
	assert_int_equal(out.stack_id, 4);
	assert_int_equal(out.aux, 5);
	assert_int_equal(out.aux2, 6);
	/* a PASID free: the head only */
	memset(&ev, 0, sizeof(ev));
	ev.type = SVATOP_EV_PASID_FREE;
	ev.pasid = 9;
	ev.mm = 77;	/* past the cut */
	wire_event(buf, &ev, SVATOP_WIRE_HEAD);
	assert_int_equal(wire_decode(&w, buf, SVATOP_WIRE_HEAD, &out), 1);
	assert_int_equal(out.type, SVATOP_EV_PASID_FREE);
	assert_int_equal(out.pasid, 9);
	assert_int_equal(out.mm, 0);
	assert_int_equal(out.stack_id, -1);
	wire_names_fini(&w);
}

static void test_new_names_replace_old_ones(void **state)
{
	struct wire_names w;
	struct svatop_wire ev = { .type = SVATOP_EV_ATTACH };
	struct svatop_event out;

	(void)state;
	assert_int_equal(wire_names_init(&w), 0);
	announce(&w, 0xffff1000, 0xffff2000, "old-dev", "iommu-a");
	announce(&w, 0xffff1000, 0xffff2000, "new-dev", "iommu-b");
	ev.size = sizeof(ev);
	ev.dev = 0xffff1000;
	assert_int_equal(wire_decode(&w, &ev, sizeof(ev), &out), 1);
	assert_string_equal(out.dev_name, "new-dev");
	assert_string_equal(out.iommu_name, "iommu-b");
	wire_names_fini(&w);
}

static void test_malformed_records(void **state)
{
	struct wire_names w;
	struct svatop_wire_dev r;
	struct svatop_wire ev = { 0 };
	struct svatop_event out;

	(void)state;
	assert_int_equal(wire_names_init(&w), 0);
	ev.type = SVATOP_EV_DETACH;
	ev.dev = 0xffff1000;
	/* shorter than the head */
	ev.size = SVATOP_WIRE_HEAD;
	assert_int_equal(wire_decode(&w, &ev, SVATOP_WIRE_HEAD - 1, &out), 0);
	/* a size field below the head, or beyond what arrived */
	ev.size = SVATOP_WIRE_HEAD - 8;
	assert_int_equal(wire_decode(&w, &ev, sizeof(ev), &out), 0);
	ev.size = sizeof(ev);
	assert_int_equal(wire_decode(&w, &ev, sizeof(ev) - 8, &out), 0);
	/* a device record cut short: ignored */
	dev_record(&r, 0xffff1000, 0, "dev", "iommu");
	r.w.size = sizeof(r) - 1;
	assert_int_equal(wire_decode(&w, &r, sizeof(r), &out), 0);
	assert_int_equal(wire_decode(&w, &ev, sizeof(ev), &out), 1);
	assert_string_equal(out.dev_name, "");
	/* names without their terminator are cut, not run over */
	dev_record(&r, 0xffff1000, 0, "x", "y");
	memset(r.dev_name, 'd', sizeof(r.dev_name));
	memset(r.iommu_name, 'i', sizeof(r.iommu_name));
	assert_int_equal(wire_decode(&w, &r, sizeof(r), &out), 0);
	assert_int_equal(wire_decode(&w, &ev, sizeof(ev), &out), 1);
	assert_int_equal(strlen(out.dev_name), SVATOP_NAME_LEN - 1);
	assert_int_equal(strlen(out.iommu_name), SVATOP_NAME_LEN - 1);
	wire_names_fini(&w);
}

/* An attach that made its domain travels as one record: it becomes the
 * derived DOMAIN_ALLOC (1 ns earlier, with the stack) and the ATTACH, as
 * two records were before; the wire-only flag reaches neither. */
static void test_attach_carries_domain_birth(void **state)
{
	struct wire_names w;
	struct svatop_wire ev = { 0 };
	struct svatop_event out[WIRE_MAX_EVENTS];
	unsigned char buf[sizeof(struct svatop_wire)];

	(void)state;
	assert_int_equal(wire_names_init(&w), 0);
	announce(&w, 0xffff1000, 0xffff2000, "svamock-dev.3", "svamock-iommu1");
	ev.type = SVATOP_EV_ATTACH;
	ev.ts_ns = 1000;
	ev.pid = ev.tgid = 9;
	strcpy(ev.comm, "svaload");
	ev.flags = SVATOP_F_SVA_DOMAIN | SVATOP_F_FALLBACK | SVATOP_WF_DOMAIN_BORN;
	ev.pasid = 5;
	ev.mm = 0xffff3000;
	ev.domain = 0xffff4000;
	ev.dev = 0xffff1000;
	ev.iommu = 0xffff2000;
	ev.stack_id = 7;
	wire_event(buf, &ev, SVATOP_WIRE_UPTO(stack_id));
	assert_int_equal(wire_decode(&w, buf, SVATOP_WIRE_UPTO(stack_id), out), 2);
	assert_int_equal(out[0].type, SVATOP_EV_DOMAIN_ALLOC);
	assert_int_equal(out[0].flags, SVATOP_F_SVA_DOMAIN | SVATOP_F_FALLBACK | SVATOP_F_DERIVED);
	assert_int_equal(out[0].ts_ns, 999);
	assert_int_equal(out[0].stack_id, 7);
	assert_int_equal(out[1].type, SVATOP_EV_ATTACH);
	assert_int_equal(out[1].flags, SVATOP_F_SVA_DOMAIN | SVATOP_F_FALLBACK);
	assert_int_equal(out[1].ts_ns, 1000);
	assert_int_equal(out[1].stack_id, -1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(out[i].domain, 0xffff4000);
		assert_int_equal(out[i].mm, 0xffff3000);
		assert_int_equal(out[i].pasid, 5);
		assert_int_equal(out[i].domain_users, 0);
		assert_string_equal(out[i].dev_name, "svamock-dev.3");
		assert_string_equal(out[i].iommu_name, "svamock-iommu1");
	}
	/* the flag on any other record is dropped, nothing added */
	ev.type = SVATOP_EV_DETACH;
	wire_event(buf, &ev, SVATOP_WIRE_UPTO(iommu));
	assert_int_equal(wire_decode(&w, buf, SVATOP_WIRE_UPTO(iommu), out), 1);
	assert_int_equal(out[0].flags, SVATOP_F_SVA_DOMAIN | SVATOP_F_FALLBACK);
	wire_names_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detach_cut_after_iommu_gets_names),
		cmocka_unit_test(test_whole_and_head_only_records),
		cmocka_unit_test(test_new_names_replace_old_ones),
		cmocka_unit_test(test_malformed_records),
		cmocka_unit_test(test_attach_carries_domain_birth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
