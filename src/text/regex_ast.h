/* The parsed form of a pattern (regex_parse.c builds it, regex_compile.c turns it into a
 * program). Nodes live in one array; sequences and alternations list their children in `kids`. */
#ifndef TETRA_TEXT_REGEX_AST_H
#define TETRA_TEXT_REGEX_AST_H
#include "regex_internal.h"

typedef enum rx_node_type {
  RX_EMPTY, RX_CHAR, RX_SET, RX_ANY, RX_CAT, RX_ALT, RX_REPEAT, RX_ATOMIC, RX_LOOK, RX_ASSERT
} rx_node_type;

enum { RX_GREEDY = 0, RX_LAZY = 1, RX_POSSESSIVE = 2 };
#define RX_INF UINT32_MAX

typedef struct rx_node {
  uint8_t type; /* rx_node_type */
  uint8_t kind; /* REPEAT: RX_GREEDY..; LOOK: tt_rx_barrier; ASSERT: tt_rx_assert; ANY: dotall */
  uint32_t a;   /* CHAR: code point; SET: set index; REPEAT/ATOMIC/LOOK: child node */
  uint32_t first, count; /* CAT/ALT: children kids[first .. first+count) */
  uint32_t min, max;     /* REPEAT bounds (max RX_INF = unbounded) */
  uint32_t pos;          /* byte offset in the pattern, for messages */
} rx_node;

typedef struct rx_ast {
  rx_node *nodes;
  uint32_t n_nodes, cap_nodes;
  uint32_t *kids;
  uint32_t n_kids, cap_kids;
  uint32_t root;
} rx_ast;

/* Parses the pattern into ast (allocated from re->alloc) and the sets into re. */
tetra_status tt_rx_parse(tt_regex *re, const char *pattern, size_t len, rx_ast *ast,
                         tetra_error *err);
void tt_rx_ast_free(const tetra_allocator *a, rx_ast *ast);

/* Grows *p (elem bytes each, *cap entries) to hold at least need entries. */
int tt_rx_grow(const tetra_allocator *a, void **p, uint32_t *cap, uint32_t need, size_t elem);

/* "regex \"<pattern>\": " prefix plus a message; returns code. */
tetra_status tt_rx_error(tetra_error *err, tetra_status code, const char *pattern, size_t len,
                         const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif
