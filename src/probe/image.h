/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BTF of a kernel image file, so a kernel package can be checked
 * before it is booted: x86 bzImage (gzip, xz or zstd payload: the vmlinux
 * ELF's .BTF section), arm64 Image (raw, or gzip'd, or an EFI zboot
 * image), or a vmlinux ELF. Where no section table helps, the BTF is
 * found by its header (magic 0xeB9F) and sized from it.
 */
#ifndef SVATOP_PROBE_IMAGE_H
#define SVATOP_PROBE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct image_info {
	void *btf;		/* malloc'd raw BTF; the caller frees it */
	uint32_t btf_size;
	char arch[16];		/* "x86", "arm64" or "" */
	char release[128];	/* from the image, for display; may be "" */
	char format[64];	/* e.g. "x86 bzImage, zstd payload" */
};

/* Returns 0, or -errno with a one-line reason in err. */
int image_extract_btf(const char *path, struct image_info *info, char *err,
		      size_t errlen);

/* Lower level, for tests: find a raw BTF blob in buf by its header.
 * Returns its offset or -1; *size gets its total size. */
long image_find_btf(const unsigned char *buf, size_t len, uint32_t *size);

#endif
