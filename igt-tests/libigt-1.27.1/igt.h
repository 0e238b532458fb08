/* SPDX-License-Identifier: MIT */
/*
 * Declarations of the part of IGT's API that the kit's tests use, for
 * building them against Debian's libigt.so.0 (intel-gpu-tools 1.27.1),
 * which ships the library without its headers.
 *
 * Written by the shmem shrinker kit from IGT's public API documentation
 * and from what libigt.so.0 1.27.1 exports (nm -D, its calling convention
 * and the constants its code uses); nothing here is IGT's own text. In an
 * upstream IGT checkout the tests include IGT's real igt.h instead and
 * this folder is not used.
 *
 * The test sources use the current upstream spelling, int igt_main() and
 * igt_fixture(); the macros below give that spelling the behaviour IGT
 * 1.27.1's library expects.
 */
#ifndef KIT_LIBIGT_IGT_H
#define KIT_LIBIGT_IGT_H

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drm.h"
#include "drm_mode.h"

#define __igt_kit_noreturn __attribute__((noreturn))
#define __igt_kit_printf(f, a) __attribute__((format(printf, f, a)))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* --- igt_core: test structure ------------------------------------------ */

extern sigjmp_buf igt_subtest_jmpbuf;

typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);

int igt_subtest_init_parse_opts(int *argc, char **argv, const char *extra_short_opts,
				const struct option *extra_long_opts, const char *help_str,
				igt_opt_handler_t extra_opt_handler, void *handler_data);
bool __igt_run_subtest(const char *subtest_name, const char *file, const int line);
bool __igt_fixture(void);
void __igt_fixture_complete(void);
__igt_kit_noreturn void __igt_fixture_end(void);
bool igt_only_list_subtests(void);
void igt_success(void);
__igt_kit_noreturn void igt_exit(void);
__igt_kit_noreturn void igt_fail(int exitcode);
__igt_kit_noreturn __igt_kit_printf(1, 2) void igt_skip(const char *f, ...);
__igt_kit_printf(1, 2) void igt_describe_f(const char *fmt, ...);
void igt_set_timeout(unsigned int seconds, const char *op);
void igt_reset_timeout(void);

/* libigt reads this weak symbol for --help-description. */
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str

#define igt_describe(dsc) igt_describe_f("%s", dsc)

/*
 * int igt_main() { body }: main() parses IGT's options, runs the body and
 * ends with igt_exit(); the leading "int" declares main.
 */
#define igt_main_args(short_opts, long_opts, help_str, opt_handler, handler_data)	\
	main(int argc, char **argv);							\
	static void __igt_kit_main_body(void);						\
	int main(int argc, char **argv)							\
	{										\
		igt_subtest_init_parse_opts(&argc, argv, short_opts, long_opts,	\
					    help_str, opt_handler, handler_data);	\
		__igt_kit_main_body();							\
		igt_exit();								\
	}										\
	static void __igt_kit_main_body(void)
#define igt_main() igt_main_args(NULL, NULL, NULL, NULL, NULL)

#define igt_fixture()									\
	for (volatile int __igt_kit_fixture = 0;					\
	     __igt_kit_fixture < 1 && __igt_fixture() &&				\
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0;					\
	     __igt_kit_fixture++, __igt_fixture_complete())

#define igt_subtest(name)								\
	for (; __igt_run_subtest((name), __FILE__, __LINE__) &&			\
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0;					\
	     igt_success())

/* --- igt_core: assertions and requirements ---------------------------------- */

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN (NULL)
#endif

__igt_kit_noreturn __igt_kit_printf(6, 7)
void __igt_fail_assert(const char *domain, const char *file, const int line, const char *func,
		       const char *assertion, const char *format, ...);
__igt_kit_noreturn __igt_kit_printf(5, 6)
void __igt_skip_check(const char *file, const int line, const char *func, const char *check,
		      const char *format, ...);

#define igt_assert(expr)								\
	do {										\
		if (!(expr))								\
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__,	\
					  #expr, NULL);					\
	} while (0)

#define igt_assert_f(expr, f...)							\
	do {										\
		if (!(expr))								\
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__,	\
					  #expr, f);					\
	} while (0)

#define __igt_kit_cmp(type, fmt, n1, cmp, ncmp, n2)					\
	do {										\
		type __n1 = (n1), __n2 = (n2);						\
		if (!(__n1 cmp __n2))							\
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__,	\
					  #n1 " " #cmp " " #n2,				\
					  "error: " fmt " " #ncmp " " fmt "\n",		\
					  __n1, __n2);					\
	} while (0)

#define igt_assert_cmpint(n1, cmp, ncmp, n2) __igt_kit_cmp(int, "%d", n1, cmp, ncmp, n2)
#define igt_assert_cmps64(n1, cmp, ncmp, n2)						\
	__igt_kit_cmp(long long, "%lld", n1, cmp, ncmp, n2)
#define igt_assert_eq(n1, n2) igt_assert_cmpint(n1, ==, !=, n2)
#define igt_assert_neq(n1, n2) igt_assert_cmpint(n1, !=, ==, n2)
#define igt_assert_lte(n1, n2) igt_assert_cmpint(n1, <=, >, n2)
#define igt_assert_lt(n1, n2) igt_assert_cmpint(n1, <, >=, n2)
#define igt_assert_cmpu64(n1, cmp, ncmp, n2)						\
	__igt_kit_cmp(unsigned long long, "%#llx", n1, cmp, ncmp, n2)
#define igt_assert_eq_u64(n1, n2) igt_assert_cmpu64(n1, ==, !=, n2)
#define igt_assert_eq_s64(n1, n2) igt_assert_cmps64(n1, ==, !=, n2)
#define igt_assert_lte_s64(n1, n2) igt_assert_cmps64(n1, <=, >, n2)
#define igt_assert_lt_s64(n1, n2) igt_assert_cmps64(n1, <, >=, n2)

#define igt_require(expr)								\
	do {										\
		if (!(expr))								\
			__igt_skip_check(__FILE__, __LINE__, __func__, #expr, NULL);	\
	} while (0)

#define igt_require_f(expr, f...)							\
	do {										\
		if (!(expr))								\
			__igt_skip_check(__FILE__, __LINE__, __func__, #expr, f);	\
	} while (0)

#define igt_skip_on(expr)								\
	do {										\
		if ((expr))								\
			__igt_skip_check(__FILE__, __LINE__, __func__, "!(" #expr ")",	\
					 NULL);						\
	} while (0)

#define igt_skip_on_f(expr, f...)							\
	do {										\
		if ((expr))								\
			__igt_skip_check(__FILE__, __LINE__, __func__, "!(" #expr ")", f); \
	} while (0)

/* --- igt_core: logging and processes ---------------------------------------- */

enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};

__igt_kit_printf(3, 4)
void igt_log(const char *domain, enum igt_log_level level, const char *format, ...);

#define igt_debug(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, f)
#define igt_info(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, f)
#define igt_warn(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, f)
#define igt_critical(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_CRITICAL, f)

typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);
bool __igt_fork(void);
void igt_waitchildren(void);

#define igt_fork(child, num_children)							\
	for (int child = 0; child < (num_children); child++)				\
		for (; __igt_fork(); exit(0))

/* --- drmtest and ioctl_wrappers --------------------------------------------- */

#define DRIVER_INTEL (1 << 0)
#define DRIVER_VC4 (1 << 1)
#define DRIVER_VGEM (1 << 2)
#define DRIVER_AMDGPU (1 << 3)
#define DRIVER_V3D (1 << 4)
#define DRIVER_PANFROST (1 << 5)
#define DRIVER_MSM (1 << 6)
/* Any driver but vgem; drivers IGT does not know (virtio_gpu) only match this. */
#define DRIVER_ANY (~(DRIVER_VGEM))
/*
 * Newer IGT knows virtio_gpu as DRIVER_VIRTIO and keeps it out of
 * DRIVER_ANY; 1.27.1 does not know it, so there a virtio_gpu card matches
 * DRIVER_ANY only. Tests check the driver's name after opening.
 */
#define DRIVER_VIRTIO DRIVER_ANY

int drm_open_driver(int chipset);
int __drm_open_driver(int chipset);
int drm_open_driver_render(int chipset);

/* drmIoctl() unless a test replaces it: restarts on EINTR and EAGAIN. */
extern int (*igt_ioctl)(int fd, unsigned long request, void *arg);

#define do_ioctl(fd, ioc, ioc_data)							\
	do {										\
		igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0);			\
		errno = 0;								\
	} while (0)

#define do_ioctl_err(fd, ioc, ioc_data, err)						\
	do {										\
		igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1);		\
		igt_assert_eq(errno, err);						\
		errno = 0;								\
	} while (0)

void gem_close(int fd, uint32_t handle);

/* --- igt_aux: the machine ------------------------------------------------------ */

uint64_t igt_get_total_ram_mb(void);
/* Free swap, despite the name. */
uint64_t igt_get_total_swap_mb(void);

#endif /* KIT_LIBIGT_IGT_H */
