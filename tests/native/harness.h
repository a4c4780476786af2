/* A minimal test harness: CHECK records a failure and carries on, so one run reports every
 * broken case; harness_finish prints the tally and gives the process exit code. */
#ifndef TETRA_TESTS_HARNESS_H
#define TETRA_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tetra/core.h"
#include "tetra/text.h"

extern int harness_checks;
extern int harness_failures;

#define CHECK(cond, ...)                                                    \
  do {                                                                      \
    harness_checks++;                                                       \
    if (!(cond)) {                                                          \
      harness_failures++;                                                   \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                         \
      fputc('\n', stderr);                                                  \
    }                                                                       \
  } while (0)

/* Reads a whole file into a malloc'd, NUL-terminated buffer; NULL if it cannot be read. */
char *harness_read_file(const char *path, size_t *len);
/* Joins TETRA_TEST_ROOT and a relative path into a static buffer. */
const char *harness_path(const char *relative);
/* Reads and parses a JSON file given relative to the repository; NULL (after a failed CHECK
 * naming the file) when it cannot. The caller frees the document with tetra_json_free. */
tetra_json_doc *harness_read_json(const char *relative);
/* Parses JSON text that a test wrote (len bytes); NULL, after a failed CHECK that shows the text,
 * when it does not parse. The caller frees the document with tetra_json_free. */
tetra_json_doc *harness_parse_json(const char *text, size_t len);
/* Whether e's ids are the numbers of line[0, len) (a llama.cpp .out line: ids separated by spaces,
 * surrounding white space ignored), all of them and nothing else. */
int harness_ids_match(const tetra_encoding *e, const char *line, size_t len);
/* Bit patterns of float32 values, and the spacing of float32 values at |t| (2^-149 below
 * FLT_MIN), for errors measured in ulp. */
float harness_from_bits(uint32_t u);
uint32_t harness_to_bits(float f);
double harness_ulp_at(double t);
/* Prints "<name>: N checks, N failed" and returns the exit status. */
int harness_finish(const char *name);

#endif
