// SPDX-License-Identifier: GPL-2.0
/*
 * svatop pasid: who holds PASID N. For each PASID, the address space that
 * holds it: its process, devices, SVA domains, age and state (live, exited
 * within the grace period, leaked). With "-" it reads kernel log lines
 * (dmesg) from standard input and annotates each one that names a PASID
 * (Intel "PASID 0x2", AMD "pasid=0x00002", SMMUv3 "ssid: 0x2") with its
 * holder, so a DMA fault line leads to a process.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <jansson.h>
#include "commands.h"
#include "common/clock.h"
#include "common/escape.h"
#include "common/log.h"
#include "common/stop.h"
#include "pipeline/session.h"
#include "view/options.h"
#include "view/pasid.h"

#define PASID_MAX_ARGS		64
#define PASID_LIMIT		0xfffffUL	/* 20 bits, the PCIe PASID width */
#define LOG_LINE_MAX		4096

struct pasid_args {
	struct common_args c;
	double settle;
	double grace;
	bool from_log;
	uint32_t pasids[PASID_MAX_ARGS];
	unsigned int n;
};

static const struct argp_option pasid_options[] = {
	{ "settle", 's', "SECONDS", 0, "live: wait at most this long for the snapshot (3)", 0 },
	{ "grace", 'g', "SECONDS", 0,
	  "how long state may outlive its process before it counts as leaked (3)", 0 },
	{ 0 },
};

/* A PASID as the kernel prints them: decimal or 0x hex, 20 bits. */
static int parse_pasid(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v == 0 || v > PASID_LIMIT)
		return -EINVAL;
	*out = v;
	return 0;
}

static error_t pasid_parse(int key, char *arg, struct argp_state *state)
{
	struct pasid_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->c;
		break;
	case 's':
		view_arg_seconds(state, arg, "settle time", 0, &a->settle);
		break;
	case 'g':
		view_arg_seconds(state, arg, "grace period", 0, &a->grace);
		break;
	case ARGP_KEY_ARG:
		if (!strcmp(arg, "-")) {
			a->from_log = true;
			break;
		}
		if (a->n == PASID_MAX_ARGS)
			argp_error(state, "at most %d PASIDs", PASID_MAX_ARGS);
		if (parse_pasid(arg, &a->pasids[a->n]))
			argp_error(state, "bad PASID '%s' (1 to 0xfffff, decimal or 0x hex)", arg);
		a->n++;
		break;
	case ARGP_KEY_END:
		if (!a->n && !a->from_log)
			argp_error(state, "give PASIDs, or - to annotate kernel log lines on stdin");
		if (a->n && a->from_log)
			argp_error(state, "give PASIDs or -, not both");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- the holder of one PASID --------------------------------------------- */

/* What is known of the owner decides, not only the time since svatop saw it:
 * an mm the snapshot found with no task at all is leaked at once. */
static const char *mm_state(const struct model *m, const struct model_mm *mm, uint64_t now,
			    uint64_t grace_ns)
{
	if (!model_mm_exited(mm))
		return "live";
	if (!mm->tgid && (mm->flags & MF_SNAPSHOT))
		return "leaked";
	return now - model_mm_exit_ts(m, mm) >= grace_ns ? "leaked" : "exited";
}

/* Held: allocated and still linked to an address space. */
static bool pasid_held(const struct model *m, uint32_t pasid)
{
	const struct model_pasid *p = model_pasid(m, pasid);

	return p && p->mm;
}

static const char *domain_iommu(const struct model *m, const struct model_domain *d)
{
	const struct model_dev *dev = model_dev_at(m, d->first_dev);
	const struct model_bond *b;

	if (dev && dev->iommu)
		return dev->iommu->name;
	model_domain_for_each_bond(m, d, b) {
		dev = model_dev_at(m, b->dev);
		if (dev && dev->iommu)
			return dev->iommu->name;
	}
	return NULL;
}

void pasid_holder_text(FILE *f, const struct model *m, uint32_t pasid, uint64_t now,
		       uint64_t grace_ns, const char *indent)
{
	const struct model_pasid *p = model_pasid(m, pasid);
	const struct model_mm *mm = p ? model_mm_at(m, p->mm) : NULL;
	const struct model_domain *d;
	const struct model_bond *b;
	const char *iommu;

	fprintf(f, "%sPASID %" PRIu32 " (0x%" PRIx32 "): ", indent, pasid, pasid);
	if (!mm) {
		fprintf(f, "%s\n", p ? "allocated, its address space already freed" :
			"held by no address space svatop knows");
		return;
	}
	if (mm->tgid) {
		fprintf(f, "pid %" PRIu32 " (", mm->tgid);
		fput_escaped(f, MODEL_MM_COMM(m, mm), sizeof(MODEL_MM_COMM(m, mm)));
		fputc(')', f);
	} else {
		fputs("no process (gone)", f);
	}
	fprintf(f, ", mm 0x%" PRIx64 ", %s", mm->ptr, mm_state(m, mm, now, grace_ns));
	if (p->flags & PF_BORN_LIVE)
		fprintf(f, ", allocated %.1fs ago\n", (now - p->alloc_ts) / 1e9);
	else
		fputs(", allocated before svatop started\n", f);
	model_mm_for_each_domain(m, mm, d) {
		iommu = domain_iommu(m, d);
		fprintf(f, "%s  domain 0x%" PRIx64 " on ", indent, d->ptr);
		fput_escaped(f, iommu ? iommu : "?", SVATOP_NAME_LEN);
		fprintf(f, ", users %d:", d->users);
		if (!d->bonds)
			fputs(" devices unknown", f);
		model_domain_for_each_bond(m, d, b) {
			fputc(' ', f);
			fput_escaped(f, b->dev ? model_dev_at(m, b->dev)->name : "?",
				     SVATOP_NAME_LEN);
			if (b->users != 1)
				fprintf(f, " (handle users %d)", b->users);
		}
		fputc('\n', f);
	}
}

static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

json_t *pasid_holder_json(const struct model *m, uint32_t pasid, uint64_t now,
			  uint64_t grace_ns)
{
	const struct model_pasid *p = model_pasid(m, pasid);
	const struct model_mm *mm = p ? model_mm_at(m, p->mm) : NULL;
	const struct model_domain *d;
	const struct model_bond *b;
	json_t *j = json_object(), *jd, *jdevs, *doms;
	const char *iommu;

	json_object_set_new(j, "pasid", json_integer(pasid));
	json_object_set_new(j, "held", json_boolean(pasid_held(m, pasid)));
	if (!mm)
		return j;
	json_object_set_new(j, "pid", mm->tgid ? json_integer(mm->tgid) : json_null());
	json_object_set_new(j, "comm", mm->tgid ? json_stringn_nocheck(MODEL_MM_COMM(m, mm),
					strnlen(MODEL_MM_COMM(m, mm), SVATOP_COMM_LEN)) : json_null());
	json_object_set_new(j, "mm", hex(mm->ptr));
	json_object_set_new(j, "state", json_string(mm_state(m, mm, now, grace_ns)));
	json_object_set_new(j, "before_start", json_boolean(!(p->flags & PF_BORN_LIVE)));
	if (p->flags & PF_BORN_LIVE)
		json_object_set_new(j, "age_ns", json_integer(now - p->alloc_ts));
	doms = json_array();
	model_mm_for_each_domain(m, mm, d) {
		jd = json_object();
		iommu = domain_iommu(m, d);
		json_object_set_new(jd, "domain", hex(d->ptr));
		json_object_set_new(jd, "iommu", iommu ? json_string(iommu) : json_null());
		json_object_set_new(jd, "users", json_integer(d->users));
		jdevs = json_array();
		model_domain_for_each_bond(m, d, b) {
			json_t *jb = json_object();

			json_object_set_new(jb, "name", b->dev ?
					    json_string(model_dev_at(m, b->dev)->name) : json_null());
			json_object_set_new(jb, "handle", hex(b->handle));
			json_object_set_new(jb, "handle_users", json_integer(b->users));
			json_array_append_new(jdevs, jb);
		}
		json_object_set_new(jd, "devices", jdevs);
		json_array_append_new(doms, jd);
	}
	json_object_set_new(j, "domains", doms);
	return j;
}

static void emit_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

/* ---- kernel log lines -------------------------------------------------- */

/* The first PASID a fault line names ("PASID 0x2", "pasid=0x00002",
 * "ssid: 0x2"), or 0. */
static uint32_t log_line_pasid(const char *line)
{
	static const char *const keys[] = { "pasid", "ssid" };
	const char *p, *q;
	uint32_t v;
	char num[16];
	size_t i, n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (p = strcasestr(line, keys[i]); p; p = strcasestr(p + 1, keys[i])) {
			q = p + strlen(keys[i]);
			while (*q == ' ' || *q == '=' || *q == ':')
				q++;
			for (n = 0; n < sizeof(num) - 1 && (isxdigit((unsigned char)q[n]) ||
							    (n == 1 && (q[n] | 0x20) == 'x')); n++)
				num[n] = q[n];
			num[n] = '\0';
			if (n && !parse_pasid(num, &v))
				return v;
		}
	}
	return 0;
}

static int annotate_log(struct session *s, const struct pasid_args *a, uint64_t grace_ns)
{
	char line[LOG_LINE_MAX];
	bool cont = false, truncated;
	uint64_t now = session_now(s);
	unsigned long unheld = 0;
	uint32_t pasid;
	size_t len;
	json_t *j;

	while (fgets(line, sizeof(line), stdin)) {
		len = strlen(line);
		truncated = len && line[len - 1] != '\n';
		if (!truncated && len)
			line[--len] = '\0';
		if (cont) {	/* the rest of an over-long line: already shown */
			cont = truncated;
			continue;
		}
		cont = truncated;
		pasid = log_line_pasid(line);
		if (a->c.json) {
			if (!pasid)
				continue;
			j = pasid_holder_json(&s->m, pasid, now, grace_ns);
			json_object_set_new(j, "line", json_stringn_nocheck(line, len));
			unheld += !pasid_held(&s->m, pasid);
			emit_json(j);
			continue;
		}
		fput_escaped(stdout, line, len);
		fputs(truncated ? " [line truncated]\n" : "\n", stdout);
		if (!pasid)
			continue;
		pasid_holder_text(stdout, &s->m, pasid, now, grace_ns, "    svatop: ");
		unheld += !pasid_held(&s->m, pasid);
	}
	if (ferror(stdin)) {
		p_err("pasid: reading standard input: %s", strerror(errno));
		return -EIO;
	}
	return unheld ? 1 : 0;
}

/* ---- the command --------------------------------------------------------- */

int cmd_pasid(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ common_argp(COMMON_JSON | COMMON_REPLAY | COMMON_VERBOSE), 0, NULL, 0 },
		{ 0 },
	};
	const struct argp argp = {
		pasid_options, pasid_parse, "PASID... | -",
		"Who holds PASID N: the process, address space, SVA domains, devices, age\n"
		"and state (live, exited, leaked) of each PASID, live or at the end of a\n"
		"recording. With -, read kernel log lines from standard input (dmesg |\n"
		"svatop pasid -) and annotate each IOMMU fault line that names a PASID.\v"
		"PASIDs are decimal or 0x hex. Exit status: 0 every PASID asked for (or\n"
		"named in the log) has a holder, 1 some have none, 2 usage or environment\n"
		"error, 3 events were lost (the answer may be wrong).",
		children, NULL, NULL,
	};
	struct pasid_args a = { .settle = 3, .grace = 3 };
	struct live_opts lo = { .snapshot = true };
	uint64_t t0, now, grace_ns;
	unsigned int i, unheld = 0;
	struct session s;
	int err = 0;

	argp_err_exit_status = EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	lo.verbose = a.c.verbose;
	grace_ns = a.grace * 1e9;
	if (session_open(&s, a.c.replay, &lo, grace_ns))
		return EXIT_USAGE;
	stop_on_signals();
	/* The whole recording, or the live snapshot. */
	t0 = clock_monotonic_ns();
	while (!stop_requested && !s.ended) {
		if ((err = session_poll(&s, 100)))
			break;
		if (s.live && (s.m.snapshot_done ||
			       clock_monotonic_ns() - t0 >= (uint64_t)(a.settle * 1e9)))
			break;
	}
	session_flush(&s);
	if (!err && s.live && !s.m.snapshot_done)
		p_err("pasid: no snapshot within %.1fs: holders from before start may be missing",
		      a.settle);
	if (err) {
		session_close(&s);
		return EXIT_USAGE;
	}
	if (a.from_log) {
		err = annotate_log(&s, &a, grace_ns);
	} else {
		now = session_now(&s);
		for (i = 0; i < a.n; i++) {
			unheld += !pasid_held(&s.m, a.pasids[i]);
			if (a.c.json)
				emit_json(pasid_holder_json(&s.m, a.pasids[i], now, grace_ns));
			else
				pasid_holder_text(stdout, &s.m, a.pasids[i], now, grace_ns, "");
		}
		err = unheld ? 1 : 0;
	}
	fflush(stdout);
	if (err >= 0 && session_dropped(&s)) {
		p_err("pasid: %" PRIu64 " events were lost: the answer may be wrong",
		      session_dropped(&s));
		err = EXIT_INCONCLUSIVE;
	}
	session_close(&s);
	return err < 0 ? EXIT_USAGE : err;
}
