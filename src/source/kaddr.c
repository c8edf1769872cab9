// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "svatop/ksym.h"
#include "ksym.skel.h"
#include "source/kaddr.h"

int kernel_symbol_addrs(const char *const *names, uint64_t *addrs, int n)
{
	struct svatop_ksym_query q;
	libbpf_print_fn_t old_print;
	struct ksym_bpf *skel;
	int err, i;
	LIBBPF_OPTS(bpf_test_run_opts, run,
		.ctx_in = &q,
		.ctx_size_in = sizeof(q),	/* written back in place */
	);

	if (n < 1 || n > SVATOP_KSYM_MAX)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (len < 1 || len >= SVATOP_KSYM_NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(q.sym[i].name, names[i], len + 1);
		q.sym[i].len = len + 1;
	}
	/* quiet: a kernel that cannot answer is not an error, kallsyms is */
	old_print = libbpf_set_print(NULL);
	skel = ksym_bpf__open_and_load();
	err = skel ? 0 : errno ? -errno : -EINVAL;
	libbpf_set_print(old_print);
	if (err)
		return err;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lookup), &run);
	if (err)
		err = -errno;
	ksym_bpf__destroy(skel);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		/* -ENOENT: no such symbol (addr 0); anything else (-EPERM:
		 * hidden addresses) leaves the question to kallsyms */
		if (q.sym[i].err && q.sym[i].err != -ENOENT)
			return q.sym[i].err;
		addrs[i] = q.sym[i].addr;
	}
	return 0;
}
