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

/*
 * The columns are written in place over a line filled with spaces first
 * (one memset): a column's padding is then already there, and only a
 * field wider than its column, or a line past LINE_BLANK, writes spaces
 * of its own. Numbers are written digit by digit straight into the line.
 * Under TCG every byte stored costs, and the per-column copies and
 * memsets were a third of the text path.
 */
#define LINE_BLANK	128

static void line_start(struct line *l)
{
	memset(l->b, ' ', LINE_BLANK);
	l->n = 0;
}

/* the column now at l->n holds len bytes: pad it to width, then a space */
static void col_end(struct line *l, size_t len, size_t width)
{
	size_t end = l->n + (len < width ? width : len);

	if (end >= sizeof(l->b)) {
		l->n = sizeof(l->b);
		return;
	}
	if (end >= LINE_BLANK)	/* past the blank part: spaces by hand */
		memset(l->b + l->n + len, ' ', end + 1 - l->n - len);
	l->n = end + 1;
}

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
	if (len > sizeof(l->b) - l->n)
		len = sizeof(l->b) - l->n;
	memcpy(l->b + l->n, s, len);
	col_end(l, len, width);
}

static size_t u64_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* v in decimal at buf (u64_len(v) bytes, no NUL); returns that length */
static size_t fmt_u64(char *buf, uint64_t v)
{
	size_t len = u64_len(v), i;

	for (i = len; i-- > 0; v /= 10)
		buf[i] = '0' + v % 10;
	return len;
}

/* v in decimal, with a '-' first if neg, as a column */
static void put_u64_col(struct line *l, uint64_t v, bool neg, size_t width)
{
	size_t len = u64_len(v) + neg;
	char *p = l->b + l->n;

	if (len > sizeof(l->b) - l->n) {
		l->n = sizeof(l->b);
		return;
	}
	if (neg)
		p[0] = '-';
	fmt_u64(p + neg, v);
	col_end(l, len, width);
}

/* v in lower-case hex, no prefix, as a column */
static void put_hex_col(struct line *l, uint64_t v, size_t width)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = v ? (size_t)(64 - __builtin_clzll(v) + 3) / 4 : 1, i;
	char *p = l->b + l->n;

	if (len > sizeof(l->b) - l->n) {
		l->n = sizeof(l->b);
		return;
	}
	for (i = len; i-- > 0; v >>= 4)
		p[i] = hex[v & 15];
	col_end(l, len, width);
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

	line_start(&l);
	k = fmt_seconds(num, sizeof(num), ev->ts_ns - first_ts);
	put_col(&l, num, k, 12);
	put_u64_col(&l, ev->tgid, false, 7);
	name = escaped_col(&comm_cache, ev->comm, sizeof(ev->comm), 15, &k);
	put_col(&l, name, k, 15);
	name = event_type_name(ev->type);
	put_col(&l, name, strlen(name), 13);
	name = escaped_col(&dev_cache, ev->dev_name, sizeof(ev->dev_name), 14, &k);
	put_col(&l, name, k, 14);
	if (ev->pasid)
		put_u64_col(&l, ev->pasid, false, 7);
	else
		put_col(&l, "-", 1, 7);
	if (ev->domain)
		put_hex_col(&l, ev->domain, 16);
	else
		put_col(&l, "-", 1, 16);
	if (ev->type == SVATOP_EV_BIND || ev->type == SVATOP_EV_UNBIND ||
	    ev->type == SVATOP_EV_ATTACH || ev->type == SVATOP_EV_DETACH ||
	    ev->type == SVATOP_EV_DOMAIN_FREE || ev->type == SVATOP_EV_SNAP_DOMAIN ||
	    ev->type == SVATOP_EV_SNAP_BOND) {
		put_u64_col(&l, ev->domain_users < 0 ?
				(uint64_t)-(int64_t)ev->domain_users :
				(uint64_t)ev->domain_users, ev->domain_users < 0, 5);
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
