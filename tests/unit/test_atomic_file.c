/* test_atomic_file.c - whole-file writes: the exact bytes or nothing, no temporary files
 * left behind, one sentence naming the path on failure. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/atomic_file.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/omb-atomic.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static size_t entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void read_back(const char *path, const char *want)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[256] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_int_equal(n, strlen(want));
    assert_string_equal(buf, want);
}

static void test_writes_and_replaces(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/r.json", dir);
    assert_int_equal(omb_write_file_atomic(path, "result file", "{}\n", 3, err, sizeof err), 0);
    read_back(path, "{}\n");
    assert_int_equal(omb_write_file_atomic(path, NULL, "{\"a\":1}\n", 8, err, sizeof err), 0);
    read_back(path, "{\"a\":1}\n");
    assert_int_equal(entries(), 1); /* no temporary file left */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
}

static void test_missing_directory_names_the_path(void **state)
{
    (void)state;
    char path[128], err[256], want[256];
    snprintf(path, sizeof path, "%s/no/r.json", dir);
    assert_int_equal(omb_write_file_atomic(path, "result file", "x", 1, err, sizeof err), -1);
    snprintf(want, sizeof want, "cannot write result file '%s': No such file or directory", path);
    assert_string_equal(err, want);
    assert_int_equal(omb_write_file_atomic(path, NULL, "x", 1, err, sizeof err), -1);
    snprintf(want, sizeof want, "cannot write '%s': No such file or directory", path);
    assert_string_equal(err, want);
}

static void test_temp_is_a_dot_file_next_to_the_path(void **state)
{
    (void)state;
    char path[128], tmp[256], err[256], prefix[160];
    snprintf(path, sizeof path, "%s/w.yaml", dir);
    assert_int_equal(omb_write_file_temp(path, NULL, "a: 1\n", 5, tmp, sizeof tmp, err, sizeof err),
                     0);
    snprintf(prefix, sizeof prefix, "%s/.w.yaml.tmp.", dir);
    assert_memory_equal(tmp, prefix, strlen(prefix));
    read_back(tmp, "a: 1\n");
    assert_int_equal(access(path, F_OK), -1); /* not there until renamed */
    assert_int_equal(rename(tmp, path), 0);
    read_back(path, "a: 1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writes_and_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory_names_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_temp_is_a_dot_file_next_to_the_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
