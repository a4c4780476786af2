/* tetra core: status codes, error messages, allocators, arenas, JSON reader.
 *
 * Conventions (see README.md, "C API"):
 *  - Every fallible call returns a tetra_status and, when it fails, fills the caller's tetra_error
 *    with a message that names the file, field, JSON path or byte offset at fault.
 *  - There is no global mutable state: errors live in caller-owned tetra_error structs and memory
 *    comes from a caller-chosen tetra_allocator (NULL means malloc/free).
 *  - Every create has a matching free; free functions accept NULL.
 */
#ifndef TETRA_CORE_H
#define TETRA_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TETRA_VERSION_MAJOR 0
#define TETRA_VERSION_MINOR 1
#define TETRA_VERSION_PATCH 0
#define TETRA_VERSION_STRING "0.1.0"

typedef enum tetra_status {
  TETRA_OK = 0,
  TETRA_ERR_INVALID_ARGUMENT = 1, /* a caller passed a NULL pointer, a wrong length, a bad flag */
  TETRA_ERR_OUT_OF_MEMORY = 2,    /* the allocator returned NULL */
  TETRA_ERR_PARSE = 3,            /* input is not well-formed (JSON syntax, UTF-8) */
  TETRA_ERR_FORMAT = 4,           /* well-formed input that breaks the format's rules */
  TETRA_ERR_UNSUPPORTED = 5,      /* valid input that uses a feature tetra does not implement */
  TETRA_ERR_LIMIT = 6             /* input beyond a documented limit (depth, size) */
} tetra_status;

/* Caller-owned error record. message is always NUL-terminated (empty after success). */
#define TETRA_ERROR_MESSAGE_SIZE 512
typedef struct tetra_error {
  tetra_status code;
  char message[TETRA_ERROR_MESSAGE_SIZE];
} tetra_error;

/* Short fixed name of a status, e.g. "TETRA_ERR_PARSE". */
const char *tetra_status_name(tetra_status status);

/* Sets err (if not NULL) to code and a printf-style message, and returns code. */
tetra_status tetra_error_set(tetra_error *err, tetra_status code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Resets err to TETRA_OK with an empty message. */
void tetra_error_clear(tetra_error *err);

/* Prepends "prefix: " to an error message already set (used to add context on the way out). */
void tetra_error_prefix(tetra_error *err, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Allocator interface. alloc returns memory aligned to at least 16 bytes or NULL. */
typedef struct tetra_allocator {
  void *(*alloc)(void *user, size_t size);
  void (*free)(void *user, void *ptr);
  void *user;
} tetra_allocator;

/* The malloc/free allocator, used wherever NULL is passed. */
const tetra_allocator *tetra_allocator_default(void);

void *tetra_alloc(const tetra_allocator *a, size_t size);
void tetra_free(const tetra_allocator *a, void *ptr);

/* Arena: a bump allocator over chunks from an allocator; everything is released at once. */
typedef struct tetra_arena_chunk tetra_arena_chunk;
typedef struct tetra_arena {
  const tetra_allocator *allocator;
  tetra_arena_chunk *head;
  size_t chunk_size; /* default size of new chunks */
  size_t used;       /* bytes handed out, for accounting */
} tetra_arena;

void tetra_arena_init(tetra_arena *arena, const tetra_allocator *allocator, size_t chunk_size);
/* Returns size bytes aligned to 16, or NULL when out of memory. */
void *tetra_arena_alloc(tetra_arena *arena, size_t size);
/* Makes all memory reusable without returning it: the next round of allocations of the same
 * total size fits without touching the allocator (several chunks are merged into one). */
void tetra_arena_reset(tetra_arena *arena);
void tetra_arena_release(tetra_arena *arena);

/* ---- JSON reader ------------------------------------------------------------------------------
 * A strict RFC 8259 reader: UTF-8 validated (overlongs, surrogates and code points above U+10FFFF
 * are rejected, as are lone surrogate escapes), nesting depth limited, duplicate object keys
 * rejected, no trailing content. A leading UTF-8 byte order mark is skipped.
 * The document tree lives in an arena owned by the tetra_json_doc; it does not borrow the input.
 */
typedef enum tetra_json_type {
  TETRA_JSON_NULL = 0,
  TETRA_JSON_FALSE,
  TETRA_JSON_TRUE,
  TETRA_JSON_NUMBER,
  TETRA_JSON_STRING,
  TETRA_JSON_ARRAY,
  TETRA_JSON_OBJECT
} tetra_json_type;

typedef struct tetra_json tetra_json;
struct tetra_json {
  uint32_t type;   /* tetra_json_type */
  uint32_t len;    /* string: bytes (excluding the NUL); array: items; object: members */
  uint32_t offset; /* byte offset of the value in the input, for error messages */
  uint32_t flags;  /* TETRA_JSON_INTEGER for numbers written without fraction or exponent */
  union {
    double number;
    const char *string; /* NUL-terminated; may contain NUL bytes written as \u0000 */
    tetra_json *items;  /* arrays: len values; objects: 2*len values, key then value */
  } u;
};
#define TETRA_JSON_INTEGER 1u

typedef struct tetra_json_options {
  uint32_t max_depth;  /* 0 means the default, 256 */
  int allow_nonfinite; /* accept the non-standard NaN, Infinity and -Infinity as numbers */
} tetra_json_options;

typedef struct tetra_json_doc tetra_json_doc;

/* Parses len bytes of text. On failure the message gives the byte offset, line and column. */
tetra_status tetra_json_parse(const char *text, size_t len, const tetra_json_options *options,
                              const tetra_allocator *allocator, tetra_json_doc **out,
                              tetra_error *err);
const tetra_json *tetra_json_root(const tetra_json_doc *doc);
void tetra_json_free(tetra_json_doc *doc);

/* Object member lookup (NULL if obj is not an object or has no such key). */
const tetra_json *tetra_json_get(const tetra_json *obj, const char *key);
/* Array item (NULL if out of range or not an array). */
const tetra_json *tetra_json_at(const tetra_json *arr, size_t index);
const char *tetra_json_type_name(tetra_json_type type);

/* Line and column (1-based) of a byte offset, for messages. */
void tetra_text_position(const char *text, size_t len, size_t offset, size_t *line, size_t *column);

/* ---- hashing ----------------------------------------------------------------------------------- */
/* SHA-256 of len bytes into out[32]. */
void tetra_sha256(const void *data, size_t len, uint8_t out[32]);

#ifdef __cplusplus
}
#endif
#endif
