// SPDX-License-Identifier: GPL-2.0
/* BTF out of a kernel image (see image.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "common/log.h"
#include "probe/image.h"

/* No kernel decompresses to more than this: a larger result is a bomb. */
#define MAX_UNPACKED	(1024UL << 20)
#define MAX_IMAGE	(512UL << 20)
/* Decoder state: the kernel packs with xz --lzma2=dict=32MiB and zstd -22
 * --ultra (a 128 MiB window, log 27); a stream asking for more is refused
 * instead of allocating up to 4 GiB (xz) or 2 GiB (zstd). */
#define MAX_DECODER	(128UL << 20)
#define MAX_ZSTD_WLOG	27
#define BTF_MAGIC	0xeB9F

struct blob {
	unsigned char *data;
	size_t len, cap;
};

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

/* Make room for at least want more bytes; false when over the limit. */
static bool blob_grow(struct blob *b, size_t want)
{
	size_t ncap;
	unsigned char *n;

	if (b->len + want <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 16 << 20;
	while (ncap < b->len + want)
		ncap *= 2;
	if (ncap > MAX_UNPACKED)
		return false;
	n = realloc(b->data, ncap);
	if (!n)
		return false;
	b->data = n;
	b->cap = ncap;
	return true;
}

static int gunzip(const unsigned char *in, size_t len, struct blob *out)
{
	z_stream s = { 0 };
	int ret;

	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	s.next_in = (unsigned char *)in;
	s.avail_in = len;
	do {
		if (!blob_grow(out, 1 << 20)) {
			inflateEnd(&s);
			return -EFBIG;
		}
		s.next_out = out->data + out->len;
		s.avail_out = out->cap - out->len;
		ret = inflate(&s, Z_NO_FLUSH);
		out->len = out->cap - s.avail_out;
	} while (ret == Z_OK);
	inflateEnd(&s);
	return ret == Z_STREAM_END ? 0 : -EBADMSG;
}

static int unxz(const unsigned char *in, size_t len, struct blob *out)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret ret;

	if (lzma_stream_decoder(&s, MAX_DECODER, 0) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = len;
	do {
		if (!blob_grow(out, 1 << 20)) {
			lzma_end(&s);
			return -EFBIG;
		}
		s.next_out = out->data + out->len;
		s.avail_out = out->cap - out->len;
		/* LZMA_FINISH: the kernel appends its size after the stream. */
		ret = lzma_code(&s, LZMA_FINISH);
		out->len = out->cap - s.avail_out;
	} while (ret == LZMA_OK);
	lzma_end(&s);
	if (ret == LZMA_MEMLIMIT_ERROR)
		return -E2BIG;
	return ret == LZMA_STREAM_END ? 0 : -EBADMSG;
}

static int unzstd(const unsigned char *in, size_t len, struct blob *out)
{
	ZSTD_DStream *s = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t ret;

	if (!s)
		return -ENOMEM;
	/* Kernel payloads use zstd -22 --ultra: windows above the default. */
	ZSTD_DCtx_setParameter(s, ZSTD_d_windowLogMax, MAX_ZSTD_WLOG);
	do {
		ZSTD_outBuffer ob;

		if (!blob_grow(out, 1 << 20)) {
			ZSTD_freeDStream(s);
			return -EFBIG;
		}
		ob.dst = out->data + out->len;
		ob.size = out->cap - out->len;
		ob.pos = 0;
		ret = ZSTD_decompressStream(s, &ob, &ib);
		out->len += ob.pos;
		if (ZSTD_isError(ret)) {
			ZSTD_freeDStream(s);
			return ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge ?
			       -E2BIG : -EBADMSG;
		}
		/* ret == 0: the first frame is complete (the size trailer follows). */
		if (ret && ib.pos == ib.size && ob.pos < ob.size) {
			ZSTD_freeDStream(s);
			return -EBADMSG;	/* truncated */
		}
	} while (ret);
	ZSTD_freeDStream(s);
	return 0;
}

enum comp { COMP_NONE, COMP_GZIP, COMP_XZ, COMP_ZSTD, COMP_OTHER };

static enum comp detect_comp(const unsigned char *p, size_t len,
			     const char **name)
{
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char lz4[] = { 0x02, 0x21, 0x4c, 0x18 };

	*name = "uncompressed";
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return *name = "gzip", COMP_GZIP;
	if (len >= 6 && !memcmp(p, xz, 6))
		return *name = "xz", COMP_XZ;
	if (len >= 4 && !memcmp(p, zst, 4))
		return *name = "zstd", COMP_ZSTD;
	if (len >= 4 && !memcmp(p, lz4, 4))
		return *name = "lz4", COMP_OTHER;
	if (len >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
		return *name = "bzip2", COMP_OTHER;
	if (len >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
		return *name = "lzma", COMP_OTHER;
	return COMP_NONE;
}

static int decompress(enum comp c, const unsigned char *in, size_t len,
		      struct blob *out)
{
	switch (c) {
	case COMP_GZIP:
		return gunzip(in, len, out);
	case COMP_XZ:
		return unxz(in, len, out);
	case COMP_ZSTD:
		return unzstd(in, len, out);
	default:
		return -EOPNOTSUPP;
	}
}

long image_find_btf(const unsigned char *buf, size_t len, uint32_t *size)
{
	size_t off;

	for (off = 0; off + 24 <= len; off++) {
		const unsigned char *p = buf + off;
		uint32_t hdr, type_off, type_len, str_off, str_len;
		uint64_t total;

		p = memchr(p, 0x9f, len - off - 23);
		if (!p)
			break;
		off = p - buf;
		if (le16(p) != BTF_MAGIC || p[2] != 1 || p[3] != 0)
			continue;
		hdr = le32(p + 4);
		type_off = le32(p + 8);
		type_len = le32(p + 12);
		str_off = le32(p + 16);
		str_len = le32(p + 20);
		if (hdr != 24 || type_off != 0 || str_off != type_len ||
		    !type_len || !str_len)
			continue;
		total = (uint64_t)hdr + str_off + str_len;
		if (total > len - off)
			continue;
		*size = total;
		return off;
	}
	return -1;
}

/* The .BTF section of an ELF image in memory; -ENOENT when it has none. */
static int elf_btf(const unsigned char *buf, size_t len, size_t *off,
		   uint32_t *size, char *arch, size_t archlen)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstrndx;
	int ret = -ENOENT;

	elf_version(EV_CURRENT);
	e = elf_memory((char *)buf, len);
	if (!e)
		return -EINVAL;
	if (!gelf_getehdr(e, &eh) || elf_getshdrstrndx(e, &shstrndx)) {
		elf_end(e);
		return -EINVAL;
	}
	if (eh.e_machine == EM_X86_64)
		snprintf(arch, archlen, "x86");
	else if (eh.e_machine == EM_AARCH64)
		snprintf(arch, archlen, "arm64");
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			break;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > len ||
		    sh.sh_size > len - sh.sh_offset || sh.sh_size > UINT32_MAX) {
			ret = -EINVAL;
			break;
		}
		*off = sh.sh_offset;
		*size = sh.sh_size;
		ret = 0;
		break;
	}
	elf_end(e);
	return ret;
}

/* "Linux version 6.12.117+deb13-arm64 (...)" -> "6.12.117+deb13-arm64". */
static void release_from_banner(const unsigned char *buf, size_t len,
				char *out, size_t outlen)
{
	static const char tag[] = "Linux version ";
	const unsigned char *p = memmem(buf, len, tag, sizeof(tag) - 1);
	size_t i;

	if (!p || !outlen)
		return;
	p += sizeof(tag) - 1;
	for (i = 0; i + 1 < outlen && p + i < buf + len && p[i] > ' ' &&
	     p[i] < 0x7f; i++)
		out[i] = p[i];
	out[i] = '\0';
}

static int read_file(const char *path, struct blob *b, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0) {
		errbuf_set(err, errlen, "cannot open image %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_IMAGE) {
		errbuf_set(err, errlen, "%s: not a regular file of at most %lu MiB",
			path, MAX_IMAGE >> 20);
		close(fd);
		return -EINVAL;
	}
	b->data = malloc(st.st_size ? st.st_size : 1);
	if (!b->data) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b->data + got, st.st_size - got);

		if (n <= 0) {
			errbuf_set(err, errlen, "cannot read image %s", path);
			close(fd);
			return -EIO;
		}
		got += n;
	}
	b->len = b->cap = got;
	close(fd);
	return 0;
}

/* Take the BTF out of an uncompressed kernel (vmlinux ELF or raw Image). */
static int take_btf(const struct blob *b, struct image_info *info,
		    const char *path, char *err, size_t errlen)
{
	size_t off = 0;
	uint32_t size = 0;
	long at;
	int ret = -ENOENT;

	if (b->len >= 4 && !memcmp(b->data, "\177ELF", 4))
		ret = elf_btf(b->data, b->len, &off, &size, info->arch,
			      sizeof(info->arch));
	if (ret) {
		at = image_find_btf(b->data, b->len, &size);
		if (at < 0) {
			errbuf_set(err, errlen,
				"%s: no BTF in this kernel (built without CONFIG_DEBUG_INFO_BTF?)",
				path);
			return -ENOENT;
		}
		off = at;
	}
	info->btf = malloc(size);
	if (!info->btf)
		return -ENOMEM;
	memcpy(info->btf, b->data + off, size);
	info->btf_size = size;
	if (!info->release[0])
		release_from_banner(b->data, b->len, info->release,
				    sizeof(info->release));
	return 0;
}

static int unpack(const char *path, enum comp c, const char *cname,
		  const unsigned char *in, size_t len, struct blob *out,
		  char *err, size_t errlen)
{
	int ret;

	if (c == COMP_OTHER) {
		errbuf_set(err, errlen,
			"%s: %s-compressed kernel payloads are not supported (gzip, xz, zstd are)",
			path, cname);
		return -EOPNOTSUPP;
	}
	ret = decompress(c, in, len, out);
	if (ret == -EFBIG)
		errbuf_set(err, errlen, "%s: the %s payload unpacks to more than %lu MiB",
			path, cname, MAX_UNPACKED >> 20);
	else if (ret == -E2BIG)
		errbuf_set(err, errlen, "%s: the %s payload needs more than %lu MiB to decode",
			path, cname, MAX_DECODER >> 20);
	else if (ret)
		errbuf_set(err, errlen, "%s: corrupt or truncated %s payload", path, cname);
	return ret;
}

/* x86 boot protocol: setup header at 0x1f1, "HdrS" at 0x202. */
static int x86_bzimage(const char *path, const struct blob *img,
		       struct image_info *info, char *err, size_t errlen)
{
	const unsigned char *h = img->data;
	size_t setup, poff, plen;
	struct blob out = { 0 };
	const char *cname;
	enum comp c;
	int ret;

	if (le16(h + 0x206) < 0x208) {
		errbuf_set(err, errlen, "%s: x86 boot protocol too old (no payload fields)", path);
		return -EINVAL;
	}
	setup = h[0x1f1] ? h[0x1f1] : 4;
	setup = (setup + 1) * 512;
	poff = le32(h + 0x248);
	plen = le32(h + 0x24c);
	if (setup > img->len || poff > img->len - setup ||
	    plen > img->len - setup - poff || !plen) {
		errbuf_set(err, errlen, "%s: truncated bzImage (payload outside the file)", path);
		return -EINVAL;
	}
	/* kernel_version: offset of a NUL-terminated string, minus 0x200. */
	if (le16(h + 0x20e)) {
		size_t vo = le16(h + 0x20e) + 0x200, i;

		for (i = 0; vo + i < img->len && i + 1 < sizeof(info->release) &&
		     h[vo + i] > ' ' && h[vo + i] < 0x7f; i++)
			info->release[i] = h[vo + i];
		info->release[i] = '\0';
	}
	c = detect_comp(h + setup + poff, plen, &cname);
	snprintf(info->format, sizeof(info->format), "x86 bzImage, %s payload", cname);
	snprintf(info->arch, sizeof(info->arch), "x86");
	if (c == COMP_NONE) {
		errbuf_set(err, errlen, "%s: unknown bzImage payload format", path);
		return -EINVAL;
	}
	ret = unpack(path, c, cname, h + setup + poff, plen, &out, err, errlen);
	if (!ret)
		ret = take_btf(&out, info, path, err, errlen);
	free(out.data);
	return ret;
}

static bool is_arm64_image(const struct blob *b)
{
	return b->len >= 64 && le32(b->data + 0x38) == 0x644d5241;	/* "ARM\x64" */
}

int image_extract_btf(const char *path, struct image_info *info, char *err,
		      size_t errlen)
{
	struct blob img = { 0 }, out = { 0 };
	const struct blob *raw = &img;
	const char *cname;
	enum comp c;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = read_file(path, &img, err, errlen);
	if (ret)
		goto out;
	if (img.len >= 0x250 && !memcmp(img.data + 0x202, "HdrS", 4)) {
		ret = x86_bzimage(path, &img, info, err, errlen);
		goto out;
	}
	if (img.len >= 64 && !memcmp(img.data, "MZ", 2) &&
	    !memcmp(img.data + 4, "zimg", 4)) {
		/* EFI zboot: payload offset/size at 8/12, method name at 24. */
		size_t poff = le32(img.data + 8), plen = le32(img.data + 12);

		if (poff > img.len || plen > img.len - poff || !plen) {
			errbuf_set(err, errlen, "%s: truncated EFI zboot image", path);
			ret = -EINVAL;
			goto out;
		}
		c = detect_comp(img.data + poff, plen, &cname);
		snprintf(info->format, sizeof(info->format), "EFI zboot, %s payload", cname);
		ret = unpack(path, c == COMP_NONE ? COMP_OTHER : c, cname,
			     img.data + poff, plen, &out, err, errlen);
		if (ret)
			goto out;
		raw = &out;
	} else {
		c = detect_comp(img.data, img.len, &cname);
		if (c != COMP_NONE) {
			ret = unpack(path, c, cname, img.data, img.len, &out,
				     err, errlen);
			if (ret)
				goto out;
			raw = &out;
		}
		snprintf(info->format, sizeof(info->format), "%s %s",
			 cname, "kernel");
	}
	if (is_arm64_image(raw)) {
		snprintf(info->arch, sizeof(info->arch), "arm64");
		snprintf(info->format + strlen(info->format),
			 sizeof(info->format) - strlen(info->format), " (arm64 Image)");
	} else if (!(raw->len >= 4 && !memcmp(raw->data, "\177ELF", 4))) {
		errbuf_set(err, errlen,
			"%s: not a kernel image (no bzImage header, arm64 Image header or ELF)",
			path);
		ret = -EINVAL;
		goto out;
	}
	ret = take_btf(raw, info, path, err, errlen);
out:
	free(img.data);
	free(out.data);
	if (ret) {
		free(info->btf);
		info->btf = NULL;
	}
	return ret;
}
