/* The strict JSON reader: what it accepts, what it rejects and what the errors say. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"

static tetra_json_doc *parse_ok(const char *text, size_t len) {
  tetra_json_doc *doc = NULL;
  tetra_error err;
  tetra_status st = tetra_json_parse(text, len, NULL, NULL, &doc, &err);
  CHECK(st == TETRA_OK, "should parse: %.80s -> %s", text, err.message);
  return doc;
}

/* Expects failure with the given status and a message containing `needle`. */
static void parse_bad(const char *text, size_t len, tetra_status want, const char *needle) {
  tetra_json_doc *doc = NULL;
  tetra_error err;
  tetra_status st = tetra_json_parse(text, len, NULL, NULL, &doc, &err);
  CHECK(st == want, "%.60s: status %s, wanted %s (%s)", text, tetra_status_name(st),
        tetra_status_name(want), err.message);
  CHECK(doc == NULL, "no document on failure");
  CHECK(strstr(err.message, needle) != NULL, "%.60s: message \"%s\" lacks \"%s\"", text,
        err.message, needle);
  tetra_json_free(doc);
}
#define BAD(lit, want, needle) parse_bad(lit, sizeof(lit) - 1, want, needle)

static void test_values(void) {
  const char *text = "\xEF\xBB\xBF {\"a\": [1, -2.5, 3e2, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"],"
                     " \"b\": {}, \"c\": [], \"\": 0}";
  tetra_json_doc *doc = parse_ok(text, strlen(text));
  if (!doc) return;
  const tetra_json *root = tetra_json_root(doc);
  CHECK(root->type == TETRA_JSON_OBJECT && root->len == 4, "root object of 4");
  const tetra_json *a = tetra_json_get(root, "a");
  CHECK(a && a->type == TETRA_JSON_ARRAY && a->len == 7, "array of 7");
  CHECK(tetra_json_at(a, 0)->u.number == 1 && (tetra_json_at(a, 0)->flags & TETRA_JSON_INTEGER),
        "1 is an integer");
  CHECK(tetra_json_at(a, 1)->u.number == -2.5 && !(tetra_json_at(a, 1)->flags & TETRA_JSON_INTEGER),
        "-2.5");
  CHECK(tetra_json_at(a, 2)->u.number == 300 && !(tetra_json_at(a, 2)->flags & TETRA_JSON_INTEGER),
        "3e2 is a number with exponent");
  CHECK(tetra_json_at(a, 3)->type == TETRA_JSON_TRUE, "true");
  CHECK(tetra_json_at(a, 4)->type == TETRA_JSON_FALSE, "false");
  CHECK(tetra_json_at(a, 5)->type == TETRA_JSON_NULL, "null");
  const tetra_json *s = tetra_json_at(a, 6);
  CHECK(s->type == TETRA_JSON_STRING && s->len == 8 &&
            memcmp(s->u.string, "x\n\xC3\xA9\xF0\x9F\x98\x80", 8) == 0,
        "escapes decode to UTF-8 (len %u)", s->len);
  CHECK(tetra_json_at(a, 7) == NULL, "out of range item");
  CHECK(tetra_json_get(root, "b")->len == 0 && tetra_json_get(root, "c")->len == 0, "empties");
  CHECK(tetra_json_get(root, "")->u.number == 0, "empty key");
  CHECK(tetra_json_get(root, "zz") == NULL, "missing key");
  CHECK(tetra_json_at(root, 0) == NULL, "at() on an object");
  CHECK(tetra_json_get(a, "a") == NULL, "get() on an array");
  CHECK(tetra_json_at(a, 2)->offset == (uint32_t)(strstr(text, "3e2") - text), "offsets");
  tetra_json_free(doc);

  /* an embedded \u0000 keeps its length */
  doc = parse_ok("\"a\\u0000b\"", 10);
  if (doc) CHECK(tetra_json_root(doc)->len == 3, "NUL inside a string");
  tetra_json_free(doc);
  /* scalars at top level */
  doc = parse_ok(" 42 ", 4);
  if (doc) CHECK(tetra_json_root(doc)->u.number == 42, "top-level number");
  tetra_json_free(doc);
}

/* Every number must parse to the same double as strtod, the correctly rounded reference. */
static void test_numbers(void) {
  const char *fixed[] = {"0", "-0", "1.5", "0.1", "1e-7", "-1.2345678E-2", "5E-1", "123456789012345678901234",
                         "1.7976931348623157e308", "2.2250738585072014e-308", "4.9e-324",
                         "9007199254740993", "0.30000000000000004", "1e22", "1e23", "8.589973e9",
                         "3.4028235e38", "1.00000005960464477539062500000000000001", "1e400"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    tetra_json_doc *doc = parse_ok(fixed[i], strlen(fixed[i]));
    if (!doc) continue;
    double got = tetra_json_root(doc)->u.number, want = strtod(fixed[i], NULL);
    CHECK(memcmp(&got, &want, sizeof got) == 0, "%s: got %.17g want %.17g", fixed[i], got, want);
    tetra_json_free(doc);
  }
  /* Random doubles and floats printed at the precisions writers use. */
  uint64_t state = 0x9E3779B97F4A7C15ull;
  int mismatches = 0;
  for (int i = 0; i < 200000; i++) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    double x;
    uint64_t bits = state;
    memcpy(&x, &bits, sizeof x);
    if (!isfinite(x)) continue;
    char buf[512];
    const char *formats[] = {"%.17g", "%.9g", "%.6e", "%.3f"};
    snprintf(buf, sizeof buf, formats[i % 4], i % 2 ? x : (double)(float)(x * 1e-300));
    if (strchr(buf, 'n') || strchr(buf, 'i')) continue;
    tetra_json_doc *doc = NULL;
    tetra_error err;
    if (tetra_json_parse(buf, strlen(buf), NULL, NULL, &doc, &err) != TETRA_OK) {
      CHECK(0, "%s failed: %s", buf, err.message);
      continue;
    }
    double got = tetra_json_root(doc)->u.number, want = strtod(buf, NULL);
    if (memcmp(&got, &want, sizeof got) != 0 && mismatches++ < 5)
      CHECK(0, "%s: got %.17g want %.17g", buf, got, want);
    tetra_json_free(doc);
  }
  CHECK(mismatches == 0, "%d random numbers parsed differently from strtod", mismatches);
}

static void test_rejections(void) {
  parse_bad("", 0, TETRA_ERR_PARSE, "unexpected end of input");
  BAD("   ", TETRA_ERR_PARSE, "byte 3");
  BAD("[1,]", TETRA_ERR_PARSE, "expected a value");
  BAD("[1 2]", TETRA_ERR_PARSE, "expected ',' or ']'");
  BAD("{\"a\" 1}", TETRA_ERR_PARSE, "expected ':'");
  BAD("{\"a\":1,}", TETRA_ERR_PARSE, "expected a string key");
  BAD("{1:2}", TETRA_ERR_PARSE, "expected a string key");
  BAD("[1", TETRA_ERR_PARSE, "unterminated array");
  BAD("{\"a\":1", TETRA_ERR_PARSE, "unterminated object");
  BAD("\"abc", TETRA_ERR_PARSE, "unterminated string");
  BAD("01", TETRA_ERR_PARSE, "leading zeros");
  BAD("-", TETRA_ERR_PARSE, "expected a digit");
  BAD("1.", TETRA_ERR_PARSE, "after the decimal point");
  BAD("1e", TETRA_ERR_PARSE, "exponent");
  BAD(".5", TETRA_ERR_PARSE, "unexpected character");
  BAD("+1", TETRA_ERR_PARSE, "unexpected character");
  BAD("NaN", TETRA_ERR_PARSE, "unexpected character");
  BAD("Infinity", TETRA_ERR_PARSE, "unexpected character");
  BAD("tru", TETRA_ERR_PARSE, "invalid literal");
  BAD("nul", TETRA_ERR_PARSE, "invalid literal");
  BAD("'a'", TETRA_ERR_PARSE, "unexpected character");
  BAD("[1] // c", TETRA_ERR_PARSE, "after the JSON value");
  BAD("1 2", TETRA_ERR_PARSE, "after the JSON value");
  BAD("\"a\tb\"", TETRA_ERR_PARSE, "control character");
  BAD("\"\\x\"", TETRA_ERR_PARSE, "invalid escape");
  BAD("\"\\u12G4\"", TETRA_ERR_PARSE, "four hex digits");
  BAD("\"\\ud800\"", TETRA_ERR_PARSE, "high surrogate");
  BAD("\"\\ud800\\u0041\"", TETRA_ERR_PARSE, "high surrogate");
  BAD("\"\\udc00\"", TETRA_ERR_PARSE, "lone low surrogate");
  BAD("\"\xC0\x80\"", TETRA_ERR_PARSE, "invalid UTF-8");         /* overlong NUL */
  BAD("\"\xE0\x80\xAF\"", TETRA_ERR_PARSE, "invalid UTF-8");     /* overlong '/' */
  BAD("\"\xED\xA0\x80\"", TETRA_ERR_PARSE, "invalid UTF-8");     /* encoded surrogate */
  BAD("\"\xF4\x90\x80\x80\"", TETRA_ERR_PARSE, "invalid UTF-8"); /* above U+10FFFF */
  BAD("\"\xFF\"", TETRA_ERR_PARSE, "invalid UTF-8");
  BAD("\"\xE2\x82\"", TETRA_ERR_PARSE, "invalid UTF-8");         /* truncated sequence */
  BAD("{\"k\":1,\"k\":2}", TETRA_ERR_PARSE, "duplicate object key \"k\"");
  BAD("[1,\n  2,\n  x]", TETRA_ERR_PARSE, "line 3, column 3");
  parse_bad("[1,\0]", 5, TETRA_ERR_PARSE, "byte 3");

  /* a large object takes the hashed duplicate check */
  char big[4096];
  size_t n = 0;
  n += (size_t)snprintf(big + n, sizeof big - n, "{");
  for (int i = 0; i < 100; i++) n += (size_t)snprintf(big + n, sizeof big - n, "\"k%d\":%d,", i, i);
  n += (size_t)snprintf(big + n, sizeof big - n, "\"k42\":0}");
  parse_bad(big, n, TETRA_ERR_PARSE, "duplicate object key \"k42\"");
  big[n - 5] = '9'; /* "k49" is a duplicate too */
  parse_bad(big, n, TETRA_ERR_PARSE, "duplicate");
}

static void test_depth(void) {
  size_t depth = 100000;
  char *deep = malloc(depth * 2);
  memset(deep, '[', depth);
  memset(deep + depth, ']', depth);
  parse_bad(deep, depth * 2, TETRA_ERR_LIMIT, "nesting deeper than 256");
  tetra_json_doc *doc = parse_ok(deep + depth - 256, 512);
  tetra_json_free(doc);
  tetra_json_options opts = {8, 0};
  tetra_error err;
  CHECK(tetra_json_parse(deep + depth - 9, 18, &opts, NULL, &doc, &err) == TETRA_ERR_LIMIT,
        "custom depth limit");
  free(deep);
}

static void test_nonfinite_option(void) {
  tetra_json_options opts = {0, 1};
  tetra_json_doc *doc = NULL;
  tetra_error err;
  const char *text = "[NaN, Infinity, -Infinity, 1]";
  CHECK(tetra_json_parse(text, strlen(text), &opts, NULL, &doc, &err) == TETRA_OK, "%s",
        err.message);
  if (doc) {
    const tetra_json *a = tetra_json_root(doc);
    CHECK(isnan(a->u.items[0].u.number), "NaN");
    CHECK(a->u.items[1].u.number == INFINITY && a->u.items[2].u.number == -INFINITY, "Infinity");
    tetra_json_free(doc);
  }
  CHECK(tetra_json_parse("[Nan]", 5, &opts, NULL, &doc, &err) == TETRA_ERR_PARSE, "Nan is not NaN");
}

/* Failing allocators must give a clean TETRA_ERR_OUT_OF_MEMORY at every point. */
typedef struct {
  int budget;
} failing;
static void *failing_alloc(void *user, size_t size) {
  failing *f = user;
  if (f->budget-- <= 0) return NULL;
  return malloc(size);
}
static void failing_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

static void test_out_of_memory(void) {
  const char *text = "{\"a\": [1, 2, {\"b\": \"cccccccccccccccccccccccccc\"}], \"d\": [[[]]]}";
  int succeeded = 0;
  for (int budget = 0; budget < 50 && !succeeded; budget++) {
    failing state = {budget};
    tetra_allocator alloc = {failing_alloc, failing_free, &state};
    tetra_json_doc *doc = NULL;
    tetra_error err;
    tetra_status st = tetra_json_parse(text, strlen(text), NULL, &alloc, &doc, &err);
    CHECK(st == TETRA_OK || st == TETRA_ERR_OUT_OF_MEMORY, "budget %d: %s", budget, err.message);
    succeeded = st == TETRA_OK;
    tetra_json_free(doc);
  }
  CHECK(succeeded, "parse succeeds once the allocator allows it");
}

static void test_big_document(void) {
  /* A 4 MB array of floats, the shape of a large tree model. */
  size_t count = 400000, cap = count * 16 + 16, n = 0;
  char *text = malloc(cap);
  text[n++] = '[';
  for (size_t i = 0; i < count; i++)
    n += (size_t)snprintf(text + n, cap - n, "%s%.8E", i ? "," : "", (double)i * 0.37 - 1000.0);
  text[n++] = ']';
  tetra_json_doc *doc = parse_ok(text, n);
  if (doc) {
    const tetra_json *a = tetra_json_root(doc);
    CHECK(a->len == count, "count");
    CHECK(fabs(a->u.items[count - 1].u.number - ((double)(count - 1) * 0.37 - 1000.0)) < 1e-3, "last");
  }
  tetra_json_free(doc);
  free(text);
}

int main(void) {
  test_values();
  test_numbers();
  test_rejections();
  test_depth();
  test_nonfinite_option();
  test_out_of_memory();
  test_big_document();
  return harness_finish("test_json");
}
