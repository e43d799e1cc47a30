/* SPDX-License-Identifier: BSD-3-Clause */
/* iomm_strerror: every status has its own non-empty text; others are "unknown status". */
#include "test_common.h"

#include <string.h>

static const int all_codes[] = {
	IOMM_OK,      IOMM_EPERM,     IOMM_ENOENT,   IOMM_EIO,     IOMM_ENOMEM,
	IOMM_EFAULT,  IOMM_EBUSY,     IOMM_EEXIST,   IOMM_ENODEV,  IOMM_EINVAL,
	IOMM_ENOSPC,  IOMM_ERANGE,    IOMM_EOVERFLOW, IOMM_ENOTSUP, IOMM_ETIMEDOUT,
};
#define NCODES (sizeof(all_codes) / sizeof(all_codes[0]))

static void test_every_code_has_distinct_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCODES; i++) {
		const char *s = iomm_strerror(all_codes[i]);
		T_CHECK(s != NULL, "iomm_strerror(%d) is NULL", all_codes[i]);
		T_CHECK(s[0] != '\0', "iomm_strerror(%d) is empty", all_codes[i]);
		T_CHECK(strcmp(s, "unknown status") != 0,
			"iomm_strerror(%d) says \"unknown status\" for a real status", all_codes[i]);
		for (size_t j = 0; j < i; j++)
			T_CHECK(strcmp(s, iomm_strerror(all_codes[j])) != 0,
				"iomm_strerror(%d) and iomm_strerror(%d) are both \"%s\"",
				all_codes[i], all_codes[j], s);
	}
}

static void test_unknown_codes(void **state)
{
	(void)state;
	static const int unknown[] = {1, 2, 100, -3, -4, -6, -13, -15, -18, -20, -21, -23,
				      -29, -33, -35, -74, -76, -94, -96, -109, -111, -1000,
				      -2147483647 - 1, 2147483647};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *s = iomm_strerror(unknown[i]);
		T_CHECK(s != NULL, "iomm_strerror(%d) is NULL", unknown[i]);
		T_CHECK(strcmp(s, "unknown status") == 0,
			"iomm_strerror(%d) is \"%s\", expected \"unknown status\"", unknown[i], s);
	}
}

static void test_values_mirror_errno(void **state)
{
	(void)state;
	/* The documented values: a table of (code, number). */
	assert_int_equal(IOMM_OK, 0);
	assert_int_equal(IOMM_EPERM, -1);
	assert_int_equal(IOMM_ENOENT, -2);
	assert_int_equal(IOMM_EIO, -5);
	assert_int_equal(IOMM_ENOMEM, -12);
	assert_int_equal(IOMM_EFAULT, -14);
	assert_int_equal(IOMM_EBUSY, -16);
	assert_int_equal(IOMM_EEXIST, -17);
	assert_int_equal(IOMM_ENODEV, -19);
	assert_int_equal(IOMM_EINVAL, -22);
	assert_int_equal(IOMM_ENOSPC, -28);
	assert_int_equal(IOMM_ERANGE, -34);
	assert_int_equal(IOMM_EOVERFLOW, -75);
	assert_int_equal(IOMM_ENOTSUP, -95);
	assert_int_equal(IOMM_ETIMEDOUT, -110);
}

int main(int argc, char **argv)
{
	/* an optional argument selects tests by name (cmocka pattern) */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_distinct_text),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_values_mirror_errno),
	};
	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
