// SPDX-License-Identifier: GPL-2.0
/*
 * Counts the iommu_sva tracepoints through tp_btf, the way svatop attaches
 * to them: proof that a kernel's BTF describes them. No vmlinux.h needed:
 * the raw arguments are read as u64 context slots.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

enum { BIND, BIND_FAILED, UNBIND, DOMAIN_ALLOC, DOMAIN_FREE, PASID_ALLOC,
	PASID_FREE, NR_COUNTS };

__u64 counts[NR_COUNTS];
__u32 last_pasid;

SEC("tp_btf/sva_bind")
int on_bind(__u64 *ctx)
{
	/* (dev, mm, handle, ret) */
	__sync_fetch_and_add(&counts[(int)ctx[3] ? BIND_FAILED : BIND], 1);
	return 0;
}

SEC("tp_btf/sva_unbind")
int on_unbind(__u64 *ctx)
{
	__sync_fetch_and_add(&counts[UNBIND], 1);
	return 0;
}

SEC("tp_btf/sva_domain_alloc")
int on_domain_alloc(__u64 *ctx)
{
	__sync_fetch_and_add(&counts[DOMAIN_ALLOC], 1);
	return 0;
}

SEC("tp_btf/sva_domain_free")
int on_domain_free(__u64 *ctx)
{
	__sync_fetch_and_add(&counts[DOMAIN_FREE], 1);
	return 0;
}

SEC("tp_btf/sva_pasid_alloc")
int on_pasid_alloc(__u64 *ctx)
{
	/* (mm, pasid) */
	last_pasid = (__u32)ctx[1];
	__sync_fetch_and_add(&counts[PASID_ALLOC], 1);
	return 0;
}

SEC("tp_btf/sva_pasid_free")
int on_pasid_free(__u64 *ctx)
{
	__sync_fetch_and_add(&counts[PASID_FREE], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
