/* tests/tap.h - minimal TAP producer for the C unit tests.
 * Each test program includes this once, calls ok()/is_int()/is_str() and
 * returns tap_done() from main(). */
#ifndef AD_TESTS_TAP_H
#define AD_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                 \
	do {                                                                   \
		long long g_ = (got), w_ = (want);                             \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))        \
			printf("# got %lld, wanted %lld\n", g_, w_);           \
	} while (0)
#define is_str(got, want, ...)                                                 \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		int p_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;          \
		if (!tap_ok(p_, __FILE__, __LINE__, __VA_ARGS__))              \
			printf("# got \"%s\", wanted \"%s\"\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                            \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
