// SPDX-License-Identifier: GPL-2.0
/* The exporter's HTTP side: the listen address, and a libmicrohttpd server
 * answering GET /metrics with the latest published text (gzip when asked). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <zlib.h>
#include "common/clock.h"
#include "common/log.h"
#include "view/exporter.h"
#include "view/exporter_http.h"
#include "view/options.h"

int exporter_parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[256];
	const char *colon;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	colon = strrchr(arg, ':');
	if (!colon || colon == arg)
		return -EINVAL;
	if (view_parse_uint(colon + 1, 65535, &port))
		return -EINVAL;
	hl = colon - arg;
	if (arg[0] == '[') {
		if (hl < 3 || arg[hl - 1] != ']')
			return -EINVAL;
		arg++;
		hl -= 2;
	} else if (memchr(arg, ':', hl)) {
		return -EINVAL;		/* IPv6 needs brackets: [::1]:9464 */
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

bool exporter_is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
}

static const char *const http_code_name[HC_MAX] = { "200", "404", "405" };
static const char *const http_drop_name[HD_MAX] = { "client_limit", "time_budget" };

/* ---- connection accounting --------------------------------------------- */

/* Who a connection belongs to for the per-client limit. */
struct http_client {
	bool local;		/* the peer socket is on this host: by its owner */
	uint32_t uid;
	sa_family_t family;	/* else by address */
	unsigned char addr[16];
};

struct http_conn {
	struct MHD_Connection *conn;	/* NULL: a free slot */
	int fd;
	uint64_t start_ns;	/* the current request's start */
	bool cut;		/* shut down for its time budget */
	struct http_client who;
};

/* A v4-mapped IPv6 address as the IPv4 one (a dual-stack listener). */
static void unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 s6 = *(struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6.sin6_addr))
		return;
	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = s6.sin6_port;
	memcpy(&s4->sin_addr, &s6.sin6_addr.s6_addr[12], 4);
}

/* An address as /proc/net/tcp{,6} print it: the raw 32-bit words in hex,
 * then the port. mapped: an IPv4 address in its v4-mapped IPv6 form. */
static void proc_net_addr(char *buf, size_t len, const struct sockaddr_storage *ss, bool mapped)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	uint32_t w[4];

	if (ss->ss_family == AF_INET && !mapped) {
		snprintf(buf, len, "%08X:%04X", s4->sin_addr.s_addr, ntohs(s4->sin_port));
		return;
	}
	if (ss->ss_family == AF_INET) {
		w[0] = w[1] = 0;
		w[2] = htonl(0xffff);
		w[3] = s4->sin_addr.s_addr;
	} else {
		memcpy(w, &s6->sin6_addr, sizeof(w));
	}
	snprintf(buf, len, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3],
		 ntohs(ss->ss_family == AF_INET ? s4->sin_port : s6->sin6_port));
}

/* The owner of the TCP socket whose local end is local and remote end rem. */
static bool proc_net_uid(const char *file, const char *local, const char *rem, uint32_t *uid)
{
	char line[512], l[64], r[64];
	bool found = false;
	unsigned int u;
	FILE *f = fopen(file, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %63s %63s %*s %*s %*s %*s %u", l, r, &u) == 3 &&
		    !strcmp(l, local) && !strcmp(r, rem)) {
			*uid = u;
			found = true;
		}
	fclose(f);
	return found;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
}

/* A peer on this host (loopback, or our own address) is one of its users:
 * the kernel's socket table names the uid that owns its end. Anyone else
 * is its address. */
static void http_client_of(int fd, const struct sockaddr *sa, struct http_client *who)
{
	struct sockaddr_storage peer = { 0 }, self = { 0 };
	socklen_t sl = sizeof(self);
	char lp[64], ls[64];

	memset(who, 0, sizeof(*who));
	memcpy(&peer, sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	       sizeof(struct sockaddr_in));
	unmap(&peer);
	if (getsockname(fd, (struct sockaddr *)&self, &sl) == 0) {
		unmap(&self);
		if (exporter_is_loopback(&peer) || same_addr(&peer, &self)) {
			proc_net_addr(lp, sizeof(lp), &peer, false);
			proc_net_addr(ls, sizeof(ls), &self, false);
			who->local = proc_net_uid(peer.ss_family == AF_INET ? "/proc/net/tcp" :
						  "/proc/net/tcp6", lp, ls, &who->uid);
			if (!who->local && peer.ss_family == AF_INET) {
				proc_net_addr(lp, sizeof(lp), &peer, true);
				proc_net_addr(ls, sizeof(ls), &self, true);
				who->local = proc_net_uid("/proc/net/tcp6", lp, ls, &who->uid);
			}
			if (who->local)
				return;
		}
	}
	who->family = peer.ss_family;
	if (peer.ss_family == AF_INET)
		memcpy(who->addr, &((struct sockaddr_in *)&peer)->sin_addr, 4);
	else
		memcpy(who->addr, &((struct sockaddr_in6 *)&peer)->sin6_addr, 16);
}

static bool same_client(const struct http_client *a, const struct http_client *b)
{
	if (a->local != b->local)
		return false;
	if (a->local)
		return a->uid == b->uid;
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The peer closed its end (an orderly close is read as 0 bytes; peeking
 * leaves anything unread to libmicrohttpd). */
static bool peer_closed(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Every connection from its start: over the client's share it is shut
 * down at once (libmicrohttpd then closes it); else it takes a slot. */
static void http_conn_started(struct http *h, struct MHD_Connection *conn, void **socket_ctx)
{
	const union MHD_ConnectionInfo *fi, *ai;
	struct http_client who;
	struct http_conn *free_slot = NULL;
	unsigned int i, same = 0;
	int fd;

	fi = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	ai = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!fi || !ai || !ai->client_addr)
		return;
	fd = fi->connect_fd;
	http_client_of(fd, ai->client_addr, &who);
	pthread_mutex_lock(&h->conn_lock);
	for (i = 0; i < h->max_conn; i++) {
		if (!h->conns[i].conn) {
			if (!free_slot)
				free_slot = &h->conns[i];
			continue;
		}
		same += same_client(&h->conns[i].who, &who);
	}
	if (same >= h->per_client && free_slot) {
		/* A client that closed its end still holds its slot until
		 * libmicrohttpd next polls that socket (later on a busy host):
		 * those do not count against the client. */
		same = 0;
		for (i = 0; i < h->max_conn; i++)
			if (h->conns[i].conn && same_client(&h->conns[i].who, &who) &&
			    !peer_closed(h->conns[i].fd))
				same++;
	}
	if (same >= h->per_client || !free_slot) {
		shutdown(fd, SHUT_RDWR);
		atomic_fetch_add(&h->dropped[HD_CLIENT_LIMIT], 1);
	} else {
		*free_slot = (struct http_conn){ .conn = conn, .fd = fd, .who = who,
						 .start_ns = clock_monotonic_ns() };
		*socket_ctx = free_slot;
	}
	pthread_mutex_unlock(&h->conn_lock);
}

/* libmicrohttpd tells of the close before it closes the socket: from
 * then on the reaper never touches the descriptor. */
static void http_conn_closed(struct http *h, void **socket_ctx)
{
	struct http_conn *c = *socket_ctx;

	if (!c)
		return;
	pthread_mutex_lock(&h->conn_lock);
	c->conn = NULL;
	pthread_mutex_unlock(&h->conn_lock);
	*socket_ctx = NULL;
}

/* A request answered: the next one on the connection has its own budget. */
static void http_request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http *h = cls;
	struct http_conn *c = ci ? ci->socket_context : NULL;

	if (!c)
		return;
	pthread_mutex_lock(&h->conn_lock);
	if (c->conn == conn && !c->cut)
		c->start_ns = clock_monotonic_ns();
	pthread_mutex_unlock(&h->conn_lock);
}

/* Every 100 ms: a connection over its time budget is shut down, whether
 * it sends nothing, a byte now and then, or reads its answer slowly
 * (libmicrohttpd's own timeout restarts with every byte). */
static void *http_reaper(void *arg)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	struct http *h = arg;
	uint64_t now;
	unsigned int i;

	while (!atomic_load(&h->stop)) {
		nanosleep(&tick, NULL);
		now = clock_monotonic_ns();
		pthread_mutex_lock(&h->conn_lock);
		for (i = 0; i < h->max_conn; i++) {
			struct http_conn *c = &h->conns[i];

			if (!c->conn || c->cut || now - c->start_ns < h->budget_ns)
				continue;
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
			atomic_fetch_add(&h->dropped[HD_TIME_BUDGET], 1);
		}
		pthread_mutex_unlock(&h->conn_lock);
	}
	return NULL;
}

static enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned int status,
				  const char *body, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The latest text plus the exporter's own counters, in a fresh buffer. */
static char *http_metrics(struct http *h, size_t *len)
{
	size_t extra = 2048, n = 0;
	char *buf;
	FILE *o;
	int c;

	pthread_mutex_lock(&h->lock);
	buf = malloc(h->len + extra);
	if (buf) {
		memcpy(buf, h->text, h->len);
		n = h->len;
	}
	pthread_mutex_unlock(&h->lock);
	if (!buf)
		return NULL;
	o = fmemopen(buf + n, extra, "w");
	if (!o) {
		free(buf);
		return NULL;
	}
	exporter_family(o, "svatop_exporter_http_requests_total", "counter",
	       "HTTP requests answered by the exporter, by status code.");
	for (c = 0; c < HC_MAX; c++)
		exporter_sample(o, "svatop_exporter_http_requests_total", "code", http_code_name[c],
		       atomic_load(&h->requests[c]));
	exporter_family(o, "svatop_exporter_connections_total", "counter",
	       "TCP connections accepted by the exporter.");
	exporter_sample(o, "svatop_exporter_connections_total", NULL, NULL,
	       atomic_load(&h->connections));
	exporter_family(o, "svatop_exporter_connections_dropped_total", "counter",
	       "Connections the exporter closed itself: over one client's share of "
	       "--max-connections, or over the --timeout budget of a request.");
	for (c = 0; c < HD_MAX; c++)
		exporter_sample(o, "svatop_exporter_connections_dropped_total", "reason",
		       http_drop_name[c], atomic_load(&h->dropped[c]));
	fflush(o);
	n += ftell(o);
	fclose(o);
	*len = n;
	return buf;
}

/* gzip of buf (Prometheus asks for it); NULL on failure: send it plain. */
static char *http_gzip(const char *buf, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap;
	char *out;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, len);
	out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)buf;
	z.avail_in = len;
	z.next_out = (Bytef *)out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static bool http_wants_gzip(struct MHD_Connection *conn)
{
	const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_ACCEPT_ENCODING);

	return ae && strstr(ae, "gzip");
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn,
				    const char *url, const char *method,
				    const char *version, const char *upload_data,
				    size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len, gz_len;
	char *buf, *gz = NULL;

	/* Answered on the first call, before any body: a request body is
	 * never read, and MHD closes the connection after the reply. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		atomic_fetch_add(&h->requests[HC_405], 1);
		return http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: only GET /metrics\n", "GET, HEAD");
	}
	if (strcmp(url, "/metrics")) {
		atomic_fetch_add(&h->requests[HC_404], 1);
		return http_reply(conn, MHD_HTTP_NOT_FOUND,
				  "not found: svatop serves /metrics only\n", NULL);
	}
	atomic_fetch_add(&h->requests[HC_200], 1);
	buf = http_metrics(h, &len);
	if (!buf)
		return MHD_NO;
	if (http_wants_gzip(conn)) {
		gz = http_gzip(buf, len, &gz_len);
		if (gz) {
			free(buf);
			buf = gz;
			len = gz_len;
		}
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void http_on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			       enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&h->connections, 1);
		http_conn_started(h, conn, socket_ctx);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		http_conn_closed(h, socket_ctx);
	}
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	if (!log_verbose)
		return;
	fputs("svatop exporter: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

bool http_publish(struct http *h, char *text, size_t len)
{
	char *old;

	if (pthread_mutex_trylock(&h->lock))
		return false;
	old = h->text;
	h->text = text;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
	return true;
}

int http_listen(struct http *h, const struct sockaddr_storage *ss)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);
	int fd, on = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on))) ||
	    bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 32)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	h->listen_fd = fd;
	return 0;
}

int http_start(struct http *h, unsigned int max_conn, unsigned int timeout_s)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int err;

	if (getsockname(h->listen_fd, (struct sockaddr *)&ss, &sl))
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->max_conn = max_conn;
	h->per_client = max_conn / 8 ? max_conn / 8 : 1;
	h->budget_ns = (uint64_t)timeout_s * 1000000000ULL;
	h->conns = calloc(max_conn, sizeof(*h->conns));
	if (!h->conns)
		return -1;
	pthread_mutex_init(&h->conn_lock, NULL);
	atomic_store(&h->stop, false);
	err = pthread_create(&h->reaper, NULL, http_reaper, h);
	if (err) {
		pthread_mutex_destroy(&h->conn_lock);
		free(h->conns);
		h->conns = NULL;
		errno = err;
		return -1;
	}
	/* The per-client limit is ours (http_conn_started): libmicrohttpd's
	 * per-address one would let one local user lock every other user of
	 * 127.0.0.1 out. Its timeout is the idle one, the budget ours. */
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, http_handler, h,
		MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, max_conn,
		MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, http_request_done, h,
		/* Request line and headers must fit: 431/414 beyond it. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_NOTIFY_CONNECTION, http_on_connection, h,
		MHD_OPTION_END);
	if (!h->d) {
		err = errno;
		http_stop(h);
		errno = err;
		return -1;
	}
	return 0;
}

unsigned int http_port(struct http *h)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (h->listen_fd < 0 || getsockname(h->listen_fd, (struct sockaddr *)&ss, &sl))
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

void http_stop(struct http *h)
{
	if (h->d)
		MHD_stop_daemon(h->d);	/* closes the listening socket */
	else if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->d = NULL;
	h->listen_fd = -1;
	if (!h->conns)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->reaper, NULL);
	pthread_mutex_destroy(&h->conn_lock);
	free(h->conns);
	h->conns = NULL;
}
