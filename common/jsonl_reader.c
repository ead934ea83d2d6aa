/* SPDX-License-Identifier: GPL-3.0-or-later */
/* jsonl_reader.c - stream Kerberos ticket events out of JSON lines. */

#include "strlist.h"
#include "jsonl_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zlib.h>

#include "timeparse.h"

#define SOURCE_IN_LEN (64 * 1024)  /* compressed bytes read at a time */
#define CHUNK_LEN (64 * 1024)      /* decoded bytes handed to the splitter */
#define LINE_INITIAL_LEN 4096
#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b
#define GZIP_WINDOW_BITS (15 + 16) /* 32 KiB window, gzip wrapper */
#define EVENT_ID_MAX 65535         /* event identifiers are 16-bit */
/* json-c takes an int length. */
#define JSONL_MAX_LINE_LIMIT ((size_t)INT_MAX - 1)

/* Where decoded bytes come from: a plain file descriptor or gzip data
 * inflated by hand. zlib's gzread() is not used because on a truncated
 * file it throws away what it decoded in the failing call; inflate() keeps
 * every byte it could decode. */
struct byte_source {
	int fd;
	bool close_fd;
	bool gzip;
	bool in_eof;      /* read() said end of file */
	bool done;        /* nothing more will come: clean end or damage */
	bool damaged;
	bool member_open; /* inside a gzip member */
	bool zs_ready;    /* inflateInit2() succeeded */
	uint64_t members; /* gzip members finished */
	uint64_t member_out;
	z_stream zs;
	size_t pending;   /* plain: sniffed bytes in in[] not yet handed out */
	size_t pending_at;
	unsigned char in[SOURCE_IN_LEN];
};

struct jsonl_scan {
	struct jsonl_scan_options opt;
	ticket_event_cb cb;
	void *ctx;
	struct event_read_stats *st;
	struct byte_source *src;
	json_tokener *tok;
	unsigned char *chunk;
	char *line;
	size_t line_len, line_cap;
	bool overlong;       /* the current line passed max_line */
	uint64_t line_start; /* offset of the current line's first byte */
	uint64_t pos;        /* offset of the next byte to decode */
	struct ticket_event ev;
};

/* Which JSON shape a line has and where its parts are. */
struct shape {
	enum ticket_event_source source;
	json_object *id;       /* event id: number or digit string */
	json_object *data;     /* object holding TargetUserName & co */
	json_object *provider; /* provider name, NULL if the shape has none */
	json_object *computer;
	json_object *record;
	json_object *local_time; /* NXLog EventTime */
};


/* ---- byte source ---------------------------------------------------- */

static void source_damage(struct byte_source *src, struct event_read_stats *st,
			  const char *what)
{
	src->damaged = true;
	src->done = true;
	event_read_stats_damage(st, "%s", what);
}

static ssize_t read_fd(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Refills the compressed input buffer. */
static void fill_input(struct byte_source *src, struct event_read_stats *st)
{
	ssize_t n = read_fd(src->fd, src->in, sizeof(src->in));

	if (n < 0) {
		char why[EVENT_DAMAGE_LEN];
		snprintf(why, sizeof(why), "read error: %s", strerror(errno));
		source_damage(src, st, why);
		return;
	}
	if (n == 0)
		src->in_eof = true;
	src->zs.next_in = src->in;
	src->zs.avail_in = (uInt)n;
}

static void gzip_failure(struct byte_source *src, struct event_read_stats *st,
			 int ret)
{
	char why[EVENT_DAMAGE_LEN];

	if (src->members > 0 && src->member_out == 0)
		snprintf(why, sizeof(why), "data after the end of the gzip stream");
	else
		snprintf(why, sizeof(why), "corrupt gzip data: %s",
			 src->zs.msg ? src->zs.msg : zError(ret));
	source_damage(src, st, why);
}

static size_t gzip_read(struct byte_source *src, unsigned char *buf, size_t len,
			struct event_read_stats *st)
{
	while (!src->done) {
		size_t produced;
		int ret;

		if (src->zs.avail_in == 0 && !src->in_eof) {
			fill_input(src, st);
			continue;
		}
		if (!src->member_open) {
			if (src->zs.avail_in == 0) { /* and in_eof: clean end */
				src->done = true;
				break;
			}
			/* Another member follows (concatenated gzip files). */
			inflateReset(&src->zs);
			src->member_open = true;
			src->member_out = 0;
		}
		src->zs.next_out = buf;
		src->zs.avail_out = (uInt)len;
		ret = inflate(&src->zs, Z_NO_FLUSH);
		produced = len - src->zs.avail_out;
		src->member_out += produced;
		if (ret == Z_STREAM_END) {
			src->member_open = false;
			src->members++;
		} else if (ret == Z_BUF_ERROR) {
			if (src->zs.avail_in == 0 && src->in_eof)
				source_damage(src, st, "gzip data truncated (unexpected end of file)");
		} else if (ret != Z_OK) {
			gzip_failure(src, st, ret);
		}
		if (produced > 0)
			return produced;
	}
	return 0;
}

static size_t plain_read(struct byte_source *src, unsigned char *buf, size_t len,
			 struct event_read_stats *st)
{
	ssize_t n;

	if (src->pending > 0) {
		size_t k = src->pending < len ? src->pending : len;
		memcpy(buf, src->in + src->pending_at, k);
		src->pending -= k;
		src->pending_at += k;
		return k;
	}
	if (src->done)
		return 0;
	n = read_fd(src->fd, buf, len);
	if (n < 0) {
		char why[EVENT_DAMAGE_LEN];
		snprintf(why, sizeof(why), "read error: %s", strerror(errno));
		source_damage(src, st, why);
		return 0;
	}
	if (n == 0)
		src->done = true;
	return (size_t)n;
}

/* Next decoded bytes; 0 at the end of input or after damage. */
static size_t source_read(struct byte_source *src, unsigned char *buf,
			  size_t len, struct event_read_stats *st)
{
	return src->gzip ? gzip_read(src, buf, len, st)
			 : plain_read(src, buf, len, st);
}

static void source_free(struct byte_source *src)
{
	if (src == NULL)
		return;
	if (src->zs_ready)
		inflateEnd(&src->zs);
	if (src->close_fd && src->fd >= 0)
		close(src->fd);
	free(src);
}

/* Opens path and looks at its first bytes to tell gzip from plain text. */
static struct byte_source *source_open(const char *path, char **err)
{
	struct byte_source *src = calloc(1, sizeof(*src));
	struct stat sb;
	ssize_t n;

	if (src == NULL) {
		set_error(err, "out of memory");
		return NULL;
	}
	src->fd = -1;
	if (strcmp(path, JSONL_STDIN) == 0) {
		src->fd = STDIN_FILENO;
	} else {
		src->fd = open(path, O_RDONLY);
		src->close_fd = true;
		if (src->fd < 0) {
			set_error(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (fstat(src->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		set_error(err, "%s: is a directory", path);
		goto fail;
	}
	/* One read decides the format; a short first read of a pipe could
	 * split the magic, so read until two bytes or end of file. */
	while (src->pending < 2 && !src->in_eof) {
		n = read_fd(src->fd, src->in + src->pending,
			    sizeof(src->in) - src->pending);
		if (n < 0) {
			set_error(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			src->in_eof = true;
		src->pending += (size_t)n;
	}
	if (src->pending >= 2 && src->in[0] == GZIP_MAGIC0 &&
	    src->in[1] == GZIP_MAGIC1) {
		src->gzip = true;
		if (inflateInit2(&src->zs, GZIP_WINDOW_BITS) != Z_OK) {
			set_error(err, "%s: cannot start gzip decoder", path);
			goto fail;
		}
		src->zs_ready = true;
		src->member_open = true;
		src->zs.next_in = src->in;
		src->zs.avail_in = (uInt)src->pending;
		src->pending = 0;
	} else if (src->in_eof) {
		src->done = src->pending == 0;
	}
	return src;
fail:
	source_free(src);
	return NULL;
}

/* Moves to start_offset: lseek() for a plain regular file, else decode and
 * discard. Returns false when the input ends before it. */
static bool source_skip(struct jsonl_scan *sc, uint64_t offset)
{
	struct byte_source *src = sc->src;
	struct stat sb;
	uint64_t left = offset;

	if (offset == 0)
		return true;
	if (!src->gzip && fstat(src->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		if (offset > (uint64_t)sb.st_size)
			return false;
		if (lseek(src->fd, (off_t)offset, SEEK_SET) >= 0) {
			src->pending = 0;
			src->done = false;
			return true;
		}
	}
	while (left > 0) {
		size_t want = left < CHUNK_LEN ? (size_t)left : CHUNK_LEN;
		size_t n = source_read(src, sc->chunk, want, sc->st);
		if (n == 0)
			return false;
		left -= n;
	}
	return true;
}

/* ---- JSON helpers ---------------------------------------------------- */

static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* Non-negative integer from a JSON number or a string of digits. */
static bool json_unsigned(json_object *v, uint64_t max, uint64_t *out)
{
	if (v == NULL)
		return false;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);
		if (i < 0 || (uint64_t)i > max)
			return false;
		*out = (uint64_t)i;
		return true;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		uint64_t x = 0;
		if (*s == '\0')
			return false;
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || x > (max - (uint64_t)(*s - '0')) / 10)
				return false;
			x = x * 10 + (uint64_t)(*s - '0');
		}
		*out = x;
		return true;
	}
	return false;
}

/* TicketOptions/Status: "0x..." string, or a plain JSON number. */
static bool json_hex32(json_object *v, uint32_t *out)
{
	uint64_t x;

	if (v == NULL)
		return false;
	if (json_object_is_type(v, json_type_string))
		return ticket_event_parse_hex32(json_object_get_string(v), out) == 0;
	if (json_unsigned(v, UINT32_MAX, &x)) {
		*out = (uint32_t)x;
		return true;
	}
	return false;
}

static void copy_string(struct ticket_event *ev, json_object *v, char *dst,
			size_t dstlen)
{
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return;
	ticket_event_set(ev, dst, dstlen, json_object_get_string(v),
			 (size_t)json_object_get_string_len(v));
}

static bool identify_shape(json_object *obj, struct shape *sh)
{
	json_object *winlog = member(obj, "winlog");

	memset(sh, 0, sizeof(*sh));
	if (winlog && json_object_is_type(winlog, json_type_object)) {
		sh->source = TICKET_SOURCE_WINLOGBEAT7;
		sh->id = member(winlog, "event_id");
		if (sh->id == NULL)
			sh->id = member(member(obj, "event"), "code");
		sh->data = member(winlog, "event_data");
		sh->provider = member(winlog, "provider_name");
		sh->computer = member(winlog, "computer_name");
		if (sh->computer == NULL)
			sh->computer = member(member(obj, "host"), "name");
		sh->record = member(winlog, "record_id");
	} else if ((sh->id = member(obj, "event_id")) != NULL) {
		sh->source = TICKET_SOURCE_WINLOGBEAT6;
		sh->data = member(obj, "event_data");
		sh->provider = member(obj, "source_name");
		sh->computer = member(obj, "computer_name");
		sh->record = member(obj, "record_number");
	} else if ((sh->id = member(obj, "EventID")) != NULL) {
		sh->source = TICKET_SOURCE_NXLOG;
		sh->data = obj;
		sh->provider = member(obj, "SourceName");
		sh->computer = member(obj, "Hostname");
		sh->record = member(obj, "RecordNumber");
		sh->local_time = member(obj, "EventTime");
	}
	return sh->id != NULL;
}

static bool from_security_provider(const struct shape *sh)
{
	if (sh->provider == NULL || !json_object_is_type(sh->provider, json_type_string))
		return true;
	/* Provider names compare like realms: ASCII, any case. */
	return ticket_event_realm_equal(json_object_get_string(sh->provider),
					TICKET_EVENT_PROVIDER);
}

static bool event_time(const struct jsonl_scan *sc, json_object *obj,
		       const struct shape *sh, int64_t *t)
{
	json_object *ts = member(obj, "@timestamp");

	if (ts && json_object_is_type(ts, json_type_string) &&
	    timeparse_timestamp(json_object_get_string(ts), 0, t, NULL, NULL) == 0)
		return true;
	if (sh->local_time && json_object_is_type(sh->local_time, json_type_string) &&
	    timeparse_timestamp(json_object_get_string(sh->local_time),
				sc->opt.event_tz_offset, t, NULL, NULL) == 0)
		return true;
	return false;
}

/* ---- lines ----------------------------------------------------------- */

/* Does the raw line mention 4768, 4769 or 4770 anywhere? */
static bool mentions_kerberos_id(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while (end - p >= 4) {
		p = memchr(p, '4', (size_t)(end - p) - 3);
		if (p == NULL)
			return false;
		if (p[1] == '7' &&
		    ((p[2] == '6' && (p[3] == '8' || p[3] == '9')) ||
		     (p[2] == '7' && p[3] == '0')))
			return true;
		p++;
	}
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static json_object *parse_object(struct jsonl_scan *sc, const char *s, size_t len)
{
	json_object *obj;

	json_tokener_reset(sc->tok);
	obj = json_tokener_parse_ex(sc->tok, s, (int)len);
	if (obj == NULL)
		return NULL;
	/* Exactly one object and nothing after it. */
	if (json_tokener_get_error(sc->tok) != json_tokener_success ||
	    json_tokener_get_parse_end(sc->tok) != len ||
	    !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static void fill_event(struct jsonl_scan *sc, const struct shape *sh,
		       uint32_t event_id, int64_t t, uint64_t offset)
{
	struct ticket_event *ev = &sc->ev;
	uint64_t record;

	ticket_event_init(ev, sh->source);
	ev->event_id = event_id;
	ev->has_time = true;
	ev->time = t;
	ev->offset = offset;
	copy_string(ev, member(sh->data, "TargetUserName"), ev->target_user,
		    sizeof(ev->target_user));
	copy_string(ev, member(sh->data, "TargetDomainName"), ev->target_domain,
		    sizeof(ev->target_domain));
	copy_string(ev, member(sh->data, "ServiceName"), ev->service_name,
		    sizeof(ev->service_name));
	copy_string(ev, member(sh->data, "IpAddress"), ev->ip_address,
		    sizeof(ev->ip_address));
	copy_string(ev, sh->computer, ev->computer, sizeof(ev->computer));
	ev->has_options = json_hex32(member(sh->data, "TicketOptions"),
				     &ev->ticket_options);
	ev->has_status = json_hex32(member(sh->data, "Status"), &ev->status);
	if (json_unsigned(sh->record, UINT64_MAX, &record)) {
		ev->has_record_id = true;
		ev->record_id = record;
	}
}

/* Classifies a parsed object and delivers it when it is a ticket event. */
static void handle_object(struct jsonl_scan *sc, json_object *obj,
			  uint64_t offset)
{
	struct event_read_stats *st = sc->st;
	struct shape sh;
	uint64_t id;
	int64_t t;

	if (!identify_shape(obj, &sh) || !json_unsigned(sh.id, EVENT_ID_MAX, &id)) {
		st->malformed++;
		return;
	}
	if (!ticket_event_id_is_kerberos((uint32_t)id) || !from_security_provider(&sh)) {
		st->other_events++;
		return;
	}
	if (sh.data == NULL || !json_object_is_type(sh.data, json_type_object)) {
		st->malformed++;
		return;
	}
	if (!event_time(sc, obj, &sh, &t)) {
		st->malformed++;
		st->no_time++;
		return;
	}
	fill_event(sc, &sh, (uint32_t)id, t, offset);
	event_read_stats_add(st, &sc->ev);
	if (!st->has_last_time || t > st->last_time) {
		st->has_last_time = true;
		st->last_time = t;
	}
	if (sc->cb && sc->cb(&sc->ev, sc->ctx) != 0)
		st->stopped = true;
}

static void handle_line(struct jsonl_scan *sc, const char *s, size_t len,
			uint64_t offset)
{
	struct event_read_stats *st = sc->st;
	json_object *obj;

	st->records++;
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0) {
		st->blank++;
		return;
	}
	if (s[0] != '{' || s[len - 1] != '}') {
		st->malformed++;
		return;
	}
	if (!sc->opt.no_prefilter && !mentions_kerberos_id(s, len)) {
		st->prefiltered++;
		return;
	}
	obj = parse_object(sc, s, len);
	if (obj == NULL) {
		st->malformed++;
		return;
	}
	handle_object(sc, obj, offset);
	json_object_put(obj);
}

/* The line in sc->line is complete; its next byte is at offset end. */
static void finish_line(struct jsonl_scan *sc, uint64_t end)
{
	if (sc->overlong) {
		sc->st->records++;
		sc->st->malformed++;
		sc->st->too_long++;
	} else {
		handle_line(sc, sc->line, sc->line_len, sc->line_start);
	}
	sc->st->end_offset = end;
	sc->line_start = end;
	sc->line_len = 0;
	sc->overlong = false;
}

static bool grow_line(struct jsonl_scan *sc, size_t need)
{
	size_t cap = sc->line_cap ? sc->line_cap : LINE_INITIAL_LEN;
	char *p;

	while (cap < need)
		cap *= 2;
	if (cap > sc->opt.max_line + 1)
		cap = sc->opt.max_line + 1;
	p = realloc(sc->line, cap);
	if (p == NULL)
		return false;
	sc->line = p;
	sc->line_cap = cap;
	return true;
}

/* Adds a piece of the current line; past max_line the line is only
 * counted, its bytes are dropped. */
static void append(struct jsonl_scan *sc, const unsigned char *s, size_t n)
{
	if (sc->overlong || n == 0)
		return;
	if (sc->line_len + n > sc->opt.max_line) {
		sc->overlong = true;
		sc->line_len = 0;
		return;
	}
	if (sc->line_len + n + 1 > sc->line_cap &&
	    !grow_line(sc, sc->line_len + n + 1)) {
		/* Out of memory for this line: treat it like an overlong one. */
		sc->overlong = true;
		sc->line_len = 0;
		return;
	}
	memcpy(sc->line + sc->line_len, s, n);
	sc->line_len += n;
	sc->line[sc->line_len] = '\0';
}

/* Bytes after the last newline when the input ends. */
static void finish_tail(struct jsonl_scan *sc)
{
	if (sc->pos == sc->line_start || sc->opt.incremental)
		return;
	if (sc->src->damaged) {
		/* Cut by the damage: not a line anybody wrote. */
		sc->st->records++;
		sc->st->malformed++;
		sc->st->end_offset = sc->pos;
		return;
	}
	finish_line(sc, sc->pos);
}

static void scan_lines(struct jsonl_scan *sc)
{
	size_t n;

	while (!sc->st->stopped &&
	       (n = source_read(sc->src, sc->chunk, CHUNK_LEN, sc->st)) > 0) {
		size_t i = 0;

		while (i < n && !sc->st->stopped) {
			const unsigned char *nl = memchr(sc->chunk + i, '\n', n - i);
			size_t stop = nl ? (size_t)(nl - sc->chunk) : n;

			append(sc, sc->chunk + i, stop - i);
			if (nl == NULL) {
				i = n;
				break;
			}
			i = stop + 1;
			finish_line(sc, sc->pos + i);
		}
		sc->pos += i;
	}
	if (!sc->st->stopped)
		finish_tail(sc);
}

static void scan_free(struct jsonl_scan *sc)
{
	source_free(sc->src);
	if (sc->tok)
		json_tokener_free(sc->tok);
	free(sc->chunk);
	free(sc->line);
}

int jsonl_reader_scan(const char *path, const struct jsonl_scan_options *opts,
		      ticket_event_cb cb, void *ctx,
		      struct event_read_stats *stats, char **err)
{
	struct jsonl_scan sc = { .cb = cb, .ctx = ctx, .st = stats };
	int rc = -1;

	event_read_stats_init(stats);
	if (err)
		*err = NULL;
	if (opts)
		sc.opt = *opts;
	if (sc.opt.max_line == 0)
		sc.opt.max_line = JSONL_MAX_LINE_DEFAULT;
	if (sc.opt.max_line > JSONL_MAX_LINE_LIMIT)
		sc.opt.max_line = JSONL_MAX_LINE_LIMIT;
	if (path == NULL || *path == '\0') {
		set_error(err, "no JSON lines file name given");
		return -1;
	}
	sc.chunk = malloc(CHUNK_LEN);
	sc.tok = json_tokener_new();
	if (sc.chunk == NULL || sc.tok == NULL) {
		set_error(err, "out of memory");
		goto done;
	}
	sc.src = source_open(path, err);
	if (sc.src == NULL)
		goto done;
	sc.pos = sc.line_start = stats->end_offset = sc.opt.start_offset;
	if (!source_skip(&sc, sc.opt.start_offset)) {
		stats->offset_past_end = true;
		rc = 0;
		goto done;
	}
	scan_lines(&sc);
	rc = 0;
done:
	scan_free(&sc);
	return rc;
}
