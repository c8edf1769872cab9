/* SPDX-License-Identifier: GPL-2.0 */
/* The exporter's HTTP server (libmicrohttpd, its own thread). */
#ifndef SVATOP_VIEW_EXPORTER_HTTP_H
#define SVATOP_VIEW_EXPORTER_HTTP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

enum http_code { HC_200, HC_404, HC_405, HC_MAX };
/* Why the exporter closed a connection itself. */
enum http_drop { HD_CLIENT_LIMIT, HD_TIME_BUDGET, HD_MAX };

/* A connection the exporter keeps account of (exporter_http.c). */
struct http_conn;

struct http {
	struct MHD_Daemon *d;
	int listen_fd;			/* http_listen(); -1: none */
	pthread_mutex_t lock;		/* initialized by the caller */
	char *text;			/* latest metrics; under lock */
	size_t len;
	atomic_uint_fast64_t requests[HC_MAX];
	atomic_uint_fast64_t connections;
	atomic_uint_fast64_t dropped[HD_MAX];
	/* Connection accounting (http_start): under conn_lock. */
	pthread_mutex_t conn_lock;
	struct http_conn *conns;
	unsigned int max_conn;		/* at once, every client together */
	unsigned int per_client;	/* at once, one client */
	uint64_t budget_ns;		/* a request's whole time */
	pthread_t reaper;
	atomic_bool stop;
};

/* Bind and listen on ss (before dropping privileges: a port below 1024
 * needs CAP_NET_BIND_SERVICE). Returns 0, or -1 with errno. */
int http_listen(struct http *h, const struct sockaddr_storage *ss);
/* Serve GET /metrics on the socket of http_listen(), at most max_conn connections at once and
 * max_conn / 8 (at least 1) of one client: a local user (the uid owning
 * the peer socket, when the peer is on this host) or else an address.
 * A request has timeout_s in all, from its connection's start (or the
 * end of the previous request on it) to the end of its answer: a client
 * that sends or reads slowly is dropped then, however steadily it trickles.
 * Returns 0, or -1 with errno when it can. */
int http_start(struct http *h, unsigned int max_conn, unsigned int timeout_s);
/* The port it listens on (what port 0 picked). */
unsigned int http_port(struct http *h);
void http_stop(struct http *h);
/* Publish new text without ever waiting: on contention, keep it for the
 * next try. Returns true when it was taken (it then owns text). */
bool http_publish(struct http *h, char *text, size_t len);

#endif
