// SPDX-License-Identifier: GPL-2.0
/* One event as a line of svatop trace's text output. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "common/escape.h"
#include "common/events.h"
#include "view/trace.h"

/*
 * The line is built by hand in one buffer and written once: the printf
 * family with a format per field (and a float for the time) was most of
 * trace's consumer time per event. The output is byte for byte what the
 * formats "%-12.6f %-7u %-15.15s %-13s %-14.14s %-7u %-16s %-5d %s" gave.
 */
struct line {
	char b[512];
	size_t n;
};

static void put(struct line *l, const char *s, size_t len)
{
	if (len > sizeof(l->b) - l->n)
		len = sizeof(l->b) - l->n;
	memcpy(l->b + l->n, s, len);
	l->n += len;
}

/* s (len bytes) left-justified in width columns, then one space */
static void put_col(struct line *l, const char *s, size_t len, size_t width)
{
	size_t pad = (len < width ? width - len : 0) + 1;

	put(l, s, len);
	if (pad > sizeof(l->b) - l->n)
		pad = sizeof(l->b) - l->n;
	memset(l->b + l->n, ' ', pad);
	l->n += pad;
}

/*
 * The last name escaped for a column: a storm repeats the same comm and
 * device on every line, and escaping byte by byte was a seventh of the
 * line. Keyed by the whole field, so a change after its NUL only misses.
 */
struct esc_cache {
	bool valid;
	char in[SVATOP_NAME_LEN];
	char out[4 * SVATOP_NAME_LEN];
	size_t n;
};

static const char *escaped_col(struct esc_cache *c, const char *s, size_t max,
			       size_t width, size_t *len)
{
	if (max > sizeof(c->in))
		max = sizeof(c->in);
	if (!c->valid || memcmp(c->in, s, max)) {
		memcpy(c->in, s, max);
		c->n = escape_to(c->out, width, s, max);
		c->valid = true;
	}
	*len = c->n ? c->n : 1;
	return c->n ? c->out : "-";
}

static size_t fmt_u64(char *buf, uint64_t v)
{
	char t[24];
	size_t n = 0, i;

	do {
		t[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	return n;
}

static size_t fmt_hex(char *buf, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char t[20];
	size_t n = 0, i;

	do {
		t[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	return n;
}

/* seconds with 6 decimals, rounded to the nearest microsecond as "%.6f"
 * rounds; an exact tie goes to printf, whose rounding of the double decides */
static size_t fmt_seconds(char *buf, size_t cap, uint64_t ns)
{
	uint64_t us = ns / 1000, rem = ns % 1000;
	size_t n;
	int i;

	if (rem == 500)
		return (size_t)snprintf(buf, cap, "%.6f", ns / 1e9);
	if (rem > 500)
		us++;
	n = fmt_u64(buf, us / 1000000);
	buf[n++] = '.';
	us %= 1000000;
	for (i = 5; i >= 0; i--) {
		buf[n + i] = '0' + us % 10;
		us /= 10;
	}
	return n + 6;
}

static const char *result_text(const struct svatop_event *ev, char *buf, size_t n)
{
	const char *en;

	if (ev->ret == 0)
		return "ok";
	en = errno_name(ev->ret);
	if (en)
		snprintf(buf, n, "%s(%d)", en, ev->ret);
	else
		snprintf(buf, n, "err %d", ev->ret);
	return buf;
}

void trace_print_text(FILE *out, const struct svatop_event *ev, uint64_t first_ts,
		      char frames[][64], int nframes)
{
	static struct esc_cache comm_cache, dev_cache;
	char num[64], res[32];
	const char *name, *r;
	struct line l;	/* b is written before it is read: not zeroed */
	size_t k;
	int i;

	l.n = 0;
	k = fmt_seconds(num, sizeof(num), ev->ts_ns - first_ts);
	put_col(&l, num, k, 12);
	put_col(&l, num, fmt_u64(num, ev->tgid), 7);
	name = escaped_col(&comm_cache, ev->comm, sizeof(ev->comm), 15, &k);
	put_col(&l, name, k, 15);
	name = event_type_name(ev->type);
	put_col(&l, name, strlen(name), 13);
	name = escaped_col(&dev_cache, ev->dev_name, sizeof(ev->dev_name), 14, &k);
	put_col(&l, name, k, 14);
	if (ev->pasid)
		put_col(&l, num, fmt_u64(num, ev->pasid), 7);
	else
		put_col(&l, "-", 1, 7);
	if (ev->domain)
		put_col(&l, num, fmt_hex(num, ev->domain), 16);
	else
		put_col(&l, "-", 1, 16);
	if (ev->type == SVATOP_EV_BIND || ev->type == SVATOP_EV_UNBIND ||
	    ev->type == SVATOP_EV_ATTACH || ev->type == SVATOP_EV_DETACH ||
	    ev->type == SVATOP_EV_DOMAIN_FREE || ev->type == SVATOP_EV_SNAP_DOMAIN ||
	    ev->type == SVATOP_EV_SNAP_BOND) {
		k = 0;
		if (ev->domain_users < 0)
			num[k++] = '-';
		k += fmt_u64(num + k, ev->domain_users < 0 ?
				      (uint64_t)-(int64_t)ev->domain_users :
				      (uint64_t)ev->domain_users);
		put_col(&l, num, k, 5);
	} else {
		put_col(&l, "-", 1, 5);
	}
	r = result_text(ev, res, sizeof(res));
	put(&l, r, strlen(r));
	if (ev->flags & SVATOP_F_DERIVED)
		put(&l, " (derived)", 10);
	if (ev->flags & SVATOP_F_EXEC)
		put(&l, " (exec)", 7);
	if (ev->flags & SVATOP_F_CHILD_SHARES)
		put(&l, " CHILD SHARES PARENT iommu_mm", 29);
	put(&l, "\n", 1);
	fwrite(l.b, 1, l.n, out);
	for (i = 0; i < nframes; i++)
		fprintf(out, "%13s%s\n", "", frames[i]);
}
