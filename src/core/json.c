/* Strict JSON reader (RFC 8259) building a compact tree in an arena.
 *
 * Speed matters because tree ensembles arrive as multi-megabyte JSON: the scanner works on bytes,
 * strings without escapes are copied in one go, and numbers take Clinger's exact fast path
 * (at most 19 significant digits, power of ten at most 22) before falling back to strtod.
 * Children of an array or object are collected on a scratch stack and copied into the arena
 * once their count is known, so every container's items are contiguous.
 */
#include "tetra/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_DEPTH 256u

struct tetra_json_doc {
  tetra_arena arena;
  tetra_json root;
};

typedef struct parser {
  const uint8_t *begin, *p, *end;
  tetra_arena *arena;
  const tetra_allocator *allocator;
  tetra_error *err;
  uint32_t max_depth;
  int allow_nonfinite;
  tetra_json *stack; /* scratch for container children */
  size_t stack_len, stack_cap;
} parser;

static tetra_status fail_at(parser *ps, const uint8_t *at, tetra_status code, const char *what) {
  size_t off = (size_t)(at - ps->begin), line, col;
  tetra_text_position((const char *)ps->begin, (size_t)(ps->end - ps->begin), off, &line, &col);
  return tetra_error_set(ps->err, code, "JSON %s at byte %zu (line %zu, column %zu): %s",
                         code == TETRA_ERR_LIMIT ? "limit" : "syntax error", off, line, col, what);
}

static tetra_status fail_oom(parser *ps) {
  return tetra_error_set(ps->err, TETRA_ERR_OUT_OF_MEMORY,
                         "JSON: out of memory after %zu bytes of input",
                         (size_t)(ps->p - ps->begin));
}

void tetra_text_position(const char *text, size_t len, size_t offset, size_t *line, size_t *column) {
  size_t l = 1, c = 1;
  if (offset > len) offset = len;
  for (size_t i = 0; i < offset; i++) {
    if (text[i] == '\n') {
      l++;
      c = 1;
    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
      c++; /* count characters, not UTF-8 continuation bytes */
    }
  }
  *line = l;
  *column = c;
}

static void skip_ws(parser *ps) {
  const uint8_t *p = ps->p, *e = ps->end;
  while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
  ps->p = p;
}

static int push(parser *ps, const tetra_json *v) {
  if (ps->stack_len == ps->stack_cap) {
    size_t cap = ps->stack_cap ? ps->stack_cap * 2 : 256;
    tetra_json *grown = tetra_alloc(ps->allocator, cap * sizeof *grown);
    if (!grown) return 0;
    if (ps->stack_len) memcpy(grown, ps->stack, ps->stack_len * sizeof *grown);
    tetra_free(ps->allocator, ps->stack);
    ps->stack = grown;
    ps->stack_cap = cap;
  }
  ps->stack[ps->stack_len++] = *v;
  return 1;
}

/* Length of a valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0 if invalid. */
static size_t utf8_sequence(const uint8_t *p, const uint8_t *end) {
  uint8_t b0 = p[0];
  size_t avail = (size_t)(end - p);
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (b0 == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
    if (b0 == 0xED && p[1] >= 0xA0) return 0; /* UTF-16 surrogate */
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    if (b0 == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
    if (b0 == 0xF4 && p[1] >= 0x90) return 0; /* above U+10FFFF */
    return 4;
  }
  return 0;
}

/* The value of four hex digits, or HEX4_BAD when one is not a hex digit. (A returned value rather
 * than an out-parameter: the decoding pass reuses it without re-checking, and an out-parameter that
 * is only written on success reads as maybe-uninitialized there.) */
#define HEX4_BAD UINT32_MAX
static uint32_t hex4(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
    else return HEX4_BAD;
  }
  return v;
}

static size_t put_utf8(uint8_t *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (uint8_t)(0xC0 | cp >> 6);
    o[1] = (uint8_t)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (uint8_t)(0xE0 | cp >> 12);
    o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (uint8_t)(0xF0 | cp >> 18);
  o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (uint8_t)(0x80 | (cp & 0x3F));
  return 4;
}

/* ps->p is at the opening quote. */
static tetra_status parse_string(parser *ps, tetra_json *v) {
  const uint8_t *start = ps->p + 1, *p = start, *e = ps->end;
  int escaped = 0;
  /* First pass: validate and find the end; the decoded form is never longer than the raw one. */
  for (;;) {
    if (p >= e) return fail_at(ps, ps->p, TETRA_ERR_PARSE, "unterminated string");
    uint8_t c = *p;
    if (c == '"') break;
    if (c == '\\') {
      escaped = 1;
      if (p + 1 >= e) return fail_at(ps, p, TETRA_ERR_PARSE, "unterminated escape in string");
      uint8_t n = p[1];
      if (n == 'u') {
        uint32_t cp;
        if (e - p < 6 || (cp = hex4(p + 2)) == HEX4_BAD)
          return fail_at(ps, p, TETRA_ERR_PARSE, "\\u must be followed by four hex digits");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (e - p < 12 || p[6] != '\\' || p[7] != 'u' || (lo = hex4(p + 8)) < 0xDC00 ||
              lo > 0xDFFF)
            return fail_at(ps, p, TETRA_ERR_PARSE,
                           "high surrogate escape not followed by a low surrogate escape");
          p += 12;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail_at(ps, p, TETRA_ERR_PARSE, "lone low surrogate escape");
        } else {
          p += 6;
        }
        continue;
      }
      if (n != '"' && n != '\\' && n != '/' && n != 'b' && n != 'f' && n != 'n' && n != 'r' &&
          n != 't')
        return fail_at(ps, p, TETRA_ERR_PARSE, "invalid escape sequence in string");
      p += 2;
      continue;
    }
    if (c < 0x20)
      return fail_at(ps, p, TETRA_ERR_PARSE, "unescaped control character in string");
    if (c >= 0x80) {
      size_t n = utf8_sequence(p, e);
      if (!n) return fail_at(ps, p, TETRA_ERR_PARSE, "invalid UTF-8 in string");
      p += n;
      continue;
    }
    p++;
  }
  size_t raw = (size_t)(p - start);
  uint8_t *out = tetra_arena_alloc(ps->arena, raw + 1);
  if (!out) return fail_oom(ps);
  size_t n = 0;
  if (!escaped) {
    memcpy(out, start, raw);
    n = raw;
  } else {
    for (const uint8_t *q = start; q < p;) {
      if (*q != '\\') {
        out[n++] = *q++;
        continue;
      }
      uint8_t c = q[1];
      q += 2;
      switch (c) {
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
          /* The scan validated every escape, so the digits are hex here. */
          uint32_t cp = hex4(q);
          q += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = hex4(q + 2);
            q += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          n += put_utf8(out + n, cp);
          break;
        }
        default: out[n++] = c; break; /* " \ / */
      }
    }
  }
  out[n] = '\0';
  v->type = TETRA_JSON_STRING;
  v->len = (uint32_t)n;
  v->u.string = (const char *)out;
  ps->p = p + 1;
  return TETRA_OK;
}

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static tetra_status parse_number(parser *ps, tetra_json *v) {
  const uint8_t *s = ps->p, *p = s, *e = ps->end;
  int neg = 0, integer = 1, truncated = 0;
  uint64_t mant = 0;
  int sig = 0;  /* significant digits held in mant */
  long exp10 = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  if (p >= e || !is_digit(*p)) return fail_at(ps, p, TETRA_ERR_PARSE, "expected a digit");
  if (*p == '0') {
    p++;
    if (p < e && is_digit(*p))
      return fail_at(ps, p - 1, TETRA_ERR_PARSE, "numbers may not have leading zeros");
  } else {
    while (p < e && is_digit(*p)) {
      if (sig < 19) {
        mant = mant * 10 + (uint64_t)(*p - '0');
        sig++;
      } else {
        exp10++;
        truncated |= *p != '0';
      }
      p++;
    }
  }
  if (p < e && *p == '.') {
    integer = 0;
    p++;
    if (p >= e || !is_digit(*p))
      return fail_at(ps, p, TETRA_ERR_PARSE, "expected a digit after the decimal point");
    while (p < e && is_digit(*p)) {
      if (sig < 19) {
        mant = mant * 10 + (uint64_t)(*p - '0');
        if (mant) sig++; /* leading zeros of 0.000x are not significant */
        exp10--;
      } else {
        truncated |= *p != '0';
      }
      p++;
    }
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    integer = 0;
    p++;
    int eneg = 0;
    if (p < e && (*p == '+' || *p == '-')) {
      eneg = *p == '-';
      p++;
    }
    if (p >= e || !is_digit(*p))
      return fail_at(ps, p, TETRA_ERR_PARSE, "expected a digit in the exponent");
    long ev = 0;
    while (p < e && is_digit(*p)) {
      if (ev < 100000) ev = ev * 10 + (*p - '0');
      p++;
    }
    exp10 += eneg ? -ev : ev;
  }
  double d;
  if (mant == 0) {
    d = 0.0;
  } else if (!truncated && mant <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
    d = (double)mant;
    d = exp10 < 0 ? d / exact_pow10[-exp10] : d * exact_pow10[exp10];
  } else {
    /* Rare: many digits or a large exponent. strtod rounds correctly; it needs a NUL. */
    size_t n = (size_t)(p - s);
    char small[128];
    char *buf = n < sizeof small ? small : tetra_arena_alloc(ps->arena, n + 1);
    if (!buf) return fail_oom(ps);
    memcpy(buf, s, n);
    buf[n] = '\0';
    d = fabs(strtod(buf, NULL));
  }
  v->type = TETRA_JSON_NUMBER;
  v->flags = integer ? TETRA_JSON_INTEGER : 0;
  v->u.number = neg ? -d : d;
  ps->p = p;
  return TETRA_OK;
}

static int keys_equal(const tetra_json *a, const tetra_json *b) {
  return a->len == b->len && memcmp(a->u.string, b->u.string, a->len) == 0;
}

static uint32_t key_hash(const tetra_json *k) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (uint32_t i = 0; i < k->len; i++) h = (h ^ (uint8_t)k->u.string[i]) * 16777619u;
  return h;
}

static tetra_status report_duplicate(parser *ps, const tetra_json *key) {
  char what[160];
  snprintf(what, sizeof what, "duplicate object key \"%.100s\"", key->u.string);
  return fail_at(ps, ps->begin + key->offset, TETRA_ERR_PARSE, what);
}

/* Rejects duplicate keys among n members (2n values: key, value, ...). Small objects compare
 * pairwise; large ones go through a temporary open-addressing table. */
static tetra_status check_duplicates(parser *ps, const tetra_json *kv, size_t n) {
  if (n <= 16) {
    for (size_t i = 1; i < n; i++)
      for (size_t j = 0; j < i; j++)
        if (keys_equal(&kv[2 * i], &kv[2 * j])) return report_duplicate(ps, &kv[2 * i]);
    return TETRA_OK;
  }
  size_t cap = 32;
  while (cap < n * 2) cap *= 2;
  uint32_t *slots = tetra_alloc(ps->allocator, cap * sizeof *slots);
  if (!slots) return fail_oom(ps);
  memset(slots, 0xFF, cap * sizeof *slots);
  tetra_status st = TETRA_OK;
  for (size_t i = 0; i < n && st == TETRA_OK; i++) {
    size_t h = key_hash(&kv[2 * i]) & (cap - 1);
    while (slots[h] != UINT32_MAX) {
      if (keys_equal(&kv[2 * i], &kv[2 * slots[h]])) {
        st = report_duplicate(ps, &kv[2 * i]);
        break;
      }
      h = (h + 1) & (cap - 1);
    }
    slots[h] = (uint32_t)i;
  }
  tetra_free(ps->allocator, slots);
  return st;
}

static tetra_status parse_value(parser *ps, tetra_json *v, uint32_t depth);

/* ps->p is at '[' or '{'. */
static tetra_status parse_container(parser *ps, tetra_json *v, uint32_t depth) {
  const uint8_t *open = ps->p;
  int object = *open == '{';
  uint8_t close = object ? '}' : ']';
  if (depth >= ps->max_depth) {
    char what[96];
    snprintf(what, sizeof what, "nesting deeper than %u levels", (unsigned)ps->max_depth);
    return fail_at(ps, open, TETRA_ERR_LIMIT, what);
  }
  ps->p++;
  size_t base = ps->stack_len;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
  } else {
    for (;;) {
      tetra_json item;
      tetra_status st;
      if (object) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"')
          return fail_at(ps, ps->p, TETRA_ERR_PARSE, "expected a string key in object");
        memset(&item, 0, sizeof item);
        item.offset = (uint32_t)(ps->p - ps->begin);
        if ((st = parse_string(ps, &item)) != TETRA_OK) return st;
        if (!push(ps, &item)) return fail_oom(ps);
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':')
          return fail_at(ps, ps->p, TETRA_ERR_PARSE, "expected ':' after object key");
        ps->p++;
      }
      if ((st = parse_value(ps, &item, depth + 1)) != TETRA_OK) return st;
      if (!push(ps, &item)) return fail_oom(ps);
      skip_ws(ps);
      if (ps->p >= ps->end)
        return fail_at(ps, ps->p, TETRA_ERR_PARSE,
                       object ? "unterminated object (expected ',' or '}')"
                              : "unterminated array (expected ',' or ']')");
      if (*ps->p == ',') {
        ps->p++;
        continue;
      }
      if (*ps->p == close) {
        ps->p++;
        break;
      }
      return fail_at(ps, ps->p, TETRA_ERR_PARSE,
                     object ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    }
  }
  size_t count = ps->stack_len - base;
  if (count > UINT32_MAX) return fail_at(ps, open, TETRA_ERR_LIMIT, "container too large");
  tetra_json *items = NULL;
  if (count) {
    items = tetra_arena_alloc(ps->arena, count * sizeof *items);
    if (!items) return fail_oom(ps);
    memcpy(items, ps->stack + base, count * sizeof *items);
  }
  ps->stack_len = base;
  v->type = object ? TETRA_JSON_OBJECT : TETRA_JSON_ARRAY;
  v->len = (uint32_t)(object ? count / 2 : count);
  v->u.items = items;
  if (object) return check_duplicates(ps, items, count / 2);
  return TETRA_OK;
}

static tetra_status literal(parser *ps, tetra_json *v, const char *word, tetra_json_type type) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
    return fail_at(ps, ps->p, TETRA_ERR_PARSE, "invalid literal (expected true, false or null)");
  ps->p += n;
  v->type = type;
  return TETRA_OK;
}

/* NaN, Infinity and -Infinity: not JSON, but written by XGBoost and by Python's json module. */
static tetra_status nonfinite(parser *ps, tetra_json *v) {
  static const struct { const char *word; double value; } words[] = {
      {"NaN", NAN}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY}};
  for (size_t i = 0; i < 3; i++) {
    size_t n = strlen(words[i].word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i].word, n) == 0) {
      ps->p += n;
      v->type = TETRA_JSON_NUMBER;
      v->u.number = words[i].value;
      return TETRA_OK;
    }
  }
  return fail_at(ps, ps->p, TETRA_ERR_PARSE, "unexpected character (expected a value)");
}

static tetra_status parse_value(parser *ps, tetra_json *v, uint32_t depth) {
  skip_ws(ps);
  memset(v, 0, sizeof *v);
  v->offset = (uint32_t)(ps->p - ps->begin);
  if (ps->p >= ps->end) return fail_at(ps, ps->p, TETRA_ERR_PARSE, "unexpected end of input");
  switch (*ps->p) {
    case '{':
    case '[': return parse_container(ps, v, depth);
    case '"': return parse_string(ps, v);
    case 't': return literal(ps, v, "true", TETRA_JSON_TRUE);
    case 'f': return literal(ps, v, "false", TETRA_JSON_FALSE);
    case 'n': return literal(ps, v, "null", TETRA_JSON_NULL);
    default:
      if (ps->allow_nonfinite &&
          (*ps->p == 'N' || *ps->p == 'I' || (*ps->p == '-' && ps->end - ps->p > 1 && ps->p[1] == 'I')))
        return nonfinite(ps, v);
      if (*ps->p == '-' || is_digit(*ps->p)) return parse_number(ps, v);
      return fail_at(ps, ps->p, TETRA_ERR_PARSE, "unexpected character (expected a value)");
  }
}

tetra_status tetra_json_parse(const char *text, size_t len, const tetra_json_options *options,
                              const tetra_allocator *allocator, tetra_json_doc **out,
                              tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "JSON: out is NULL");
  *out = NULL;
  if (!text && len) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "JSON: text is NULL");
  if (len >= UINT32_MAX)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "JSON: input of %zu bytes exceeds the 4 GiB limit",
                           len);
  if (!allocator) allocator = tetra_allocator_default();
  tetra_json_doc *doc = tetra_alloc(allocator, sizeof *doc);
  if (!doc) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "JSON: out of memory");
  /* Chunks sized to the input keep the number of allocations low on big documents. */
  size_t chunk = len / 2 < 64 * 1024 ? 64 * 1024 : len / 2;
  tetra_arena_init(&doc->arena, allocator, chunk);
  parser ps = {0};
  ps.begin = (const uint8_t *)(text ? text : "");
  ps.p = ps.begin;
  ps.end = ps.begin + len;
  ps.arena = &doc->arena;
  ps.allocator = allocator;
  ps.err = err;
  ps.max_depth = options && options->max_depth ? options->max_depth : DEFAULT_MAX_DEPTH;
  ps.allow_nonfinite = options && options->allow_nonfinite;
  if (len >= 3 && ps.p[0] == 0xEF && ps.p[1] == 0xBB && ps.p[2] == 0xBF) ps.p += 3;
  tetra_status st = parse_value(&ps, &doc->root, 0);
  if (st == TETRA_OK) {
    skip_ws(&ps);
    if (ps.p != ps.end)
      st = fail_at(&ps, ps.p, TETRA_ERR_PARSE, "unexpected content after the JSON value");
  }
  tetra_free(allocator, ps.stack);
  if (st != TETRA_OK) {
    tetra_arena_release(&doc->arena);
    tetra_free(allocator, doc);
    return st;
  }
  tetra_error_clear(err);
  *out = doc;
  return TETRA_OK;
}

const tetra_json *tetra_json_root(const tetra_json_doc *doc) { return doc ? &doc->root : NULL; }

void tetra_json_free(tetra_json_doc *doc) {
  if (!doc) return;
  const tetra_allocator *a = doc->arena.allocator;
  tetra_arena_release(&doc->arena);
  tetra_free(a, doc);
}

const tetra_json *tetra_json_get(const tetra_json *obj, const char *key) {
  if (!obj || obj->type != TETRA_JSON_OBJECT) return NULL;
  size_t klen = strlen(key);
  for (uint32_t i = 0; i < obj->len; i++) {
    const tetra_json *k = &obj->u.items[2 * i];
    if (k->len == klen && memcmp(k->u.string, key, klen) == 0) return &obj->u.items[2 * i + 1];
  }
  return NULL;
}

const tetra_json *tetra_json_at(const tetra_json *arr, size_t index) {
  if (!arr || arr->type != TETRA_JSON_ARRAY || index >= arr->len) return NULL;
  return &arr->u.items[index];
}

const char *tetra_json_type_name(tetra_json_type type) {
  switch (type) {
    case TETRA_JSON_NULL: return "null";
    case TETRA_JSON_FALSE:
    case TETRA_JSON_TRUE: return "boolean";
    case TETRA_JSON_NUMBER: return "number";
    case TETRA_JSON_STRING: return "string";
    case TETRA_JSON_ARRAY: return "array";
    case TETRA_JSON_OBJECT: return "object";
  }
  return "unknown";
}
