// SPDX-License-Identifier: GPL-2.0
/*
 * svatop probe: can this kernel do SVA, and can svatop trace it?
 * On the running kernel or offline on a kernel's files (docs/kernels.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "commands.h"
#include "common/log.h"
#include "common/safefile.h"
#include "probe/kfacts.h"
#include "probe/verdict.h"

#define PROBE_JSON_SCHEMA	1

struct probe_args {
	struct kfacts_opts kopts;
	const char *save_btf;
	unsigned save_flags;	/* SAFE_FILE_REPLACE with --force */
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: svatop probe [-j] [-v] [--btf FILE | --image VMLINUZ] [--symbols SYSTEM.MAP] [--arch x86|arm64]\n"
		"Tell whether this kernel (or the kernel in the files given) can do SVA,\n"
		"why not, and how svatop would hook each SVA lifecycle event.\n\n"
		"  -j, --json          one JSON object: verdict, evidence, hook table\n"
		"  -v, --verbose       say more on stderr\n"
		"      --btf FILE      kernel BTF (raw, e.g. /sys/kernel/btf/vmlinux, or an ELF with .BTF)\n"
		"      --image FILE    kernel image (vmlinuz: bzImage gzip/xz/zstd, arm64 Image[.gz], zboot)\n"
		"      --symbols FILE  System.map or a copy of /proc/kallsyms\n"
		"      --arch ARCH     x86 or arm64 (default: detected from BTF)\n"
		"      --save-btf FILE write the kernel's raw BTF there (e.g. taken from --image;\n"
		"                      created 0600, an existing FILE is refused)\n"
		"      --force         replace an existing --save-btf FILE\n\n"
		"Exit status: 0 SVA works and svatop can trace it; 1 SVA not usable on this\n"
		"kernel (not built or stubbed); 2 usage or unreadable/damaged input; 3 verdict\n"
		"is a heuristic or undecidable; 4 SVA works but svatop cannot trace it.\n");
}

static int parse_args(int argc, char **argv, struct probe_args *a)
{
	enum { OPT_BTF = 256, OPT_IMAGE, OPT_SYMBOLS, OPT_ARCH, OPT_SAVE_BTF,
	       OPT_FORCE };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "image", required_argument, NULL, OPT_IMAGE },
		{ "symbols", required_argument, NULL, OPT_SYMBOLS },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "save-btf", required_argument, NULL, OPT_SAVE_BTF },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 'v':
			log_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_BTF:
			a->kopts.btf_path = optarg;
			break;
		case OPT_IMAGE:
			a->kopts.image_path = optarg;
			break;
		case OPT_SYMBOLS:
			a->kopts.symbols_path = optarg;
			break;
		case OPT_ARCH:
			a->kopts.arch = optarg;
			break;
		case OPT_SAVE_BTF:
			a->save_btf = optarg;
			break;
		case OPT_FORCE:
			a->save_flags = SAFE_FILE_REPLACE;
			break;
		case ':':
			p_err("probe: option '%s' needs an argument (see 'svatop probe --help')",
			      argv[optind - 1]);
			return -1;
		default:
			if (optopt && optopt < 256)
				p_err("probe: option -%c %s", optopt,
				      strchr("jvh", optopt) ? "takes no argument" :
				      "is unknown (see 'svatop probe --help')");
			else
				p_err("probe: bad option '%s' (see 'svatop probe --help')",
				      argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		p_err("probe: unexpected argument '%s' (see 'svatop probe --help')",
		      argv[optind]);
		return -1;
	}
	return 0;
}

static const char *yes_no(enum kfact v)
{
	return v == KF_YES ? "yes" : v == KF_NO ? "no" : "?";
}

/* Print text wrapped at 76 columns with an indent. */
static void print_wrapped(const char *text, int indent)
{
	const char *p = text;
	int col = indent;

	printf("%*s", indent, "");
	while (*p) {
		const char *e = strchr(p, ' ');
		int n = e ? e - p : (int)strlen(p);

		if (col > indent && col + 1 + n > 78) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", n, p);
		col += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static void print_human(const struct kfacts *k, const struct sva_report *r,
			int status)
{
	const char *rel = kfacts_release(k);
	int i, sva_tp_line = 0;

	printf("Kernel:   %s%s%s (%s)\n", kfacts_live(k) ? "running kernel " :
	       "offline ", rel[0] ? rel : "(release unknown)",
	       "", kfacts_arch(k));
	printf("BTF:      %s\n", kfacts_btf_source(k) ? kfacts_btf_source(k) :
	       "none");
	if (kfacts_symbols_source(k))
		printf("Symbols:  %s (%zu symbols)\n", kfacts_symbols_source(k),
		       kfacts_symbol_count(k));
	else
		printf("Symbols:  none\n");
	printf("SVA era:  %s\n\n", sva_era_name(r->era));

	printf("Verdict:  %s: %s\n", sva_verdict_id(r->verdict),
	       sva_verdict_title(r->verdict));
	print_wrapped(sva_verdict_advice(r->verdict), 2);

	printf("\nEvidence:\n");
	for (i = 0; i < r->nev; i++)
		printf("  %-3s  %-40s %-29s %s\n", yes_no(r->ev[i].value),
		       r->ev[i].fact, r->ev[i].source, r->ev[i].meaning);
	if (r->bind_size && !r->heuristic)
		printf("  size of iommu_sva_bind_device: %#lx bytes (distance to the next symbol: an upper bound)\n",
		       r->bind_size);

	printf("\nHooks:\n  %-13s %-27s %-10s %s\n", "EVENT", "TARGET", "FORM",
	       "PROTOTYPE / NOTE");
	for (i = 0; i < r->nhooks; i++) {
		const struct hook_status *st = &r->hooks[i];
		const char *form = hook_form_name(st);

		/* Our tracepoints are absent from stock kernels: one line. */
		if (st->hook->kind == HOOK_SVA_TRACEPOINT && st->form == FORM_NONE) {
			if (!sva_tp_line++)
				printf("  %-13s %-27s %-10s %s\n", "(several)",
				       "iommu_sva:*", "(absent)",
				       "svatop's proposed tracepoints (patches/svatop) are not in this kernel");
			continue;
		}

		printf("  %-13s %-27s %-10s %s\n", st->hook->lifecycle,
		       st->hook->target,
		       st->form == FORM_NONE && st->hook->optional ?
		       "(absent)" : form,
		       st->prototype[0] ? st->prototype : st->reason);
		if (st->prototype[0] && st->reason[0])
			printf("  %-13s %-27s %-10s %s\n", "", "", "", st->reason);
		else if (!st->prototype[0] && st->form != FORM_NONE &&
			 st->hook->kind == HOOK_FUNC && !st->reason[0])
			printf("  %-13s %-27s %-10s %s\n", "", "", "",
			       "(no prototype: no BTF)");
	}
	printf("  (SVA domain birth is derived: iommu_sva_domain_alloc is inlined)\n");

	printf("\nTracing:  %s\n", r->traceable ?
	       "possible: svatop can hook bind and unbind on this kernel" :
	       r->untraceable_why);
	for (i = 0; i < r->nunchecked; i++)
		printf("Not checked: %s\n", r->unchecked[i]);
	printf("Exit status %d: %s\n", status,
	       status == PROBE_EXIT_OK ? "SVA works and svatop can trace it" :
	       status == PROBE_EXIT_NO_SVA ? "SVA is not usable on this kernel" :
	       status == PROBE_EXIT_UNDECIDED ? "the verdict is a heuristic or undecidable" :
	       "SVA works but svatop cannot trace it");
}

static json_t *kfact_json(enum kfact v)
{
	return v == KF_UNKNOWN ? json_null() : json_boolean(v == KF_YES);
}

static json_t *report_json(const struct kfacts *k, const struct sva_report *r,
			   int status)
{
	json_t *root = json_object(), *ev = json_array(), *hk = json_array();
	json_t *kern = json_object(), *unchecked = json_array();
	int i;

	json_object_set_new(root, "schema", json_integer(PROBE_JSON_SCHEMA));
	json_object_set_new(kern, "live", json_boolean(kfacts_live(k)));
	json_object_set_new(kern, "release", json_string(kfacts_release(k)));
	json_object_set_new(kern, "arch", json_string(kfacts_arch(k)));
	json_object_set_new(kern, "btf", kfacts_btf_source(k) ?
			    json_string(kfacts_btf_source(k)) : json_null());
	json_object_set_new(kern, "symbols", kfacts_symbols_source(k) ?
			    json_string(kfacts_symbols_source(k)) : json_null());
	json_object_set_new(kern, "era", json_string(sva_era_id(r->era)));
	json_object_set_new(kern, "era_description", json_string(sva_era_name(r->era)));
	json_object_set_new(root, "kernel", kern);

	json_object_set_new(root, "verdict", json_string(sva_verdict_id(r->verdict)));
	json_object_set_new(root, "title", json_string(sva_verdict_title(r->verdict)));
	json_object_set_new(root, "explanation",
			    json_string(sva_verdict_advice(r->verdict)));
	json_object_set_new(root, "heuristic", json_boolean(r->heuristic));
	json_object_set_new(root, "bind_size", r->bind_size ?
			    json_integer(r->bind_size) : json_null());
	json_object_set_new(root, "sva_usable",
			    json_boolean(r->verdict == SVA_REAL_FIXED ||
					 r->verdict == SVA_REAL_UNFIXED));
	json_object_set_new(root, "traceable", json_boolean(r->traceable));
	if (!r->traceable)
		json_object_set_new(root, "untraceable_reason",
				    json_string(r->untraceable_why));
	json_object_set_new(root, "exit_status", json_integer(status));

	for (i = 0; i < r->nev; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "fact", json_string(r->ev[i].fact));
		json_object_set_new(e, "present", kfact_json(r->ev[i].value));
		json_object_set_new(e, "source", json_string(r->ev[i].source));
		json_object_set_new(e, "meaning", json_string(r->ev[i].meaning));
		json_array_append_new(ev, e);
	}
	json_object_set_new(root, "evidence", ev);

	for (i = 0; i < r->nhooks; i++) {
		const struct hook_status *st = &r->hooks[i];
		const struct hook *h = st->hook;
		json_t *o = json_object();

		json_object_set_new(o, "event", json_string(h->lifecycle));
		json_object_set_new(o, "target", json_string(h->target));
		json_object_set_new(o, "form", json_string(hook_form_name(st)));
		json_object_set_new(o, "optional", json_boolean(h->optional));
		json_object_set_new(o, "in_btf", kfact_json(st->in_btf));
		json_object_set_new(o, "in_symbols", kfact_json(st->in_symbols));
		json_object_set_new(o, "prototype", st->prototype[0] ?
				    json_string(st->prototype) : json_null());
		json_object_set_new(o, "note", st->reason[0] ?
				    json_string(st->reason) : json_null());
		json_object_set_new(o, "era", json_string(h->era ? h->era : ""));
		json_array_append_new(hk, o);
	}
	json_object_set_new(root, "hooks", hk);
	for (i = 0; i < r->nunchecked; i++)
		json_array_append_new(unchecked, json_string(r->unchecked[i]));
	json_object_set_new(root, "not_checked", unchecked);
	return root;
}

static int save_btf(const struct kfacts *k, const char *path, unsigned flags)
{
	struct safe_file sf;
	const void *data;
	uint32_t size = 0;
	int err;

	data = kfacts_btf_data(k, &size);
	if (!data) {
		p_err("probe: --save-btf: this kernel has no BTF to save");
		return -1;
	}
	err = safe_file_open(&sf, path, flags);
	if (!err) {
		errno = 0;
		if (fwrite(data, 1, size, sf.f) != size) {
			err = errno ? -errno : -EIO;
			safe_file_abort(&sf);
		} else {
			err = safe_file_commit(&sf);
		}
	}
	if (err) {
		safe_file_perror("probe", path, err);
		return -1;
	}
	p_info("probe: wrote %u bytes of BTF to %s", size, path);
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_args a = { 0 };
	struct sva_report r;
	struct kfacts *k;
	char err[512] = "";
	int ret, status;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : EXIT_USAGE;
	ret = kfacts_load(&a.kopts, &k, err, sizeof(err));
	if (ret) {
		p_err("probe: %s", err);
		return PROBE_EXIT_USAGE;
	}
	if (a.save_btf && save_btf(k, a.save_btf, a.save_flags)) {
		kfacts_free(k);
		return PROBE_EXIT_USAGE;
	}
	if (sva_classify(k, &r)) {
		p_err("probe: out of memory");
		kfacts_free(k);
		return PROBE_EXIT_USAGE;
	}
	status = sva_exit_status(&r);
	if (a.json) {
		json_t *root = report_json(k, &r, status);

		if (!root || json_dumpf(root, stdout, JSON_INDENT(2)) < 0) {
			p_err("probe: cannot write JSON");
			status = PROBE_EXIT_USAGE;
		} else {
			putchar('\n');
		}
		json_decref(root);
	} else {
		print_human(k, &r, status);
	}
	sva_report_free(&r);
	kfacts_free(k);
	return status;
}
