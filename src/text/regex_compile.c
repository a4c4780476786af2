/* Compiles the AST of a pattern into the backtracking program (regex_internal.h), computes the
 * first-character filter of searches, and picks a hand-written scanner or a plain byte search
 * when the pattern allows. */
#include <string.h>

#include "regex_ast.h"
#include "text/unicode.h"

#define RX_MAX_PROGRAM 200000 /* instructions: bounds what counted repetition can unroll to */

/* The two patterns with hand-written scanners (regex_fast.c), byte for byte as tokenizer.json
 * files spell them. */
static const char GPT2_PATTERN[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char CL100K_PATTERN[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char QWEN2_PATTERN[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

typedef struct emitter {
  tt_regex *re;
  const rx_ast *ast;
  uint32_t cap;
  const char *pat;
  size_t len;
  tetra_error *err;
  tetra_status status;
} emitter;

static uint32_t emit_fail(emitter *E, tetra_status code, uint32_t at, const char *what) {
  if (E->status == TETRA_OK)
    E->status = tt_rx_error(E->err, code, E->pat, E->len, "%s at offset %u", what, at);
  return UINT32_MAX;
}

/* Appends an instruction; returns its index. */
static uint32_t put(emitter *E, uint32_t op, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                    uint32_t at) {
  if (E->status != TETRA_OK) return UINT32_MAX;
  tt_regex *re = E->re;
  if (re->n_prog >= RX_MAX_PROGRAM)
    return emit_fail(E, TETRA_ERR_LIMIT, at,
                     "the compiled program exceeds 200000 instructions (repetition count too large)");
  if (!tt_rx_grow(re->alloc, (void **)&re->prog, &E->cap, re->n_prog + 1, sizeof(tt_rx_inst)))
    return emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, at, "out of memory");
  tt_rx_inst *in = &re->prog[re->n_prog];
  in->op = op, in->a = a, in->b = b, in->c = c, in->d = d;
  return re->n_prog++;
}

static const rx_node *node_at(const emitter *E, uint32_t i) { return &E->ast->nodes[i]; }
static uint32_t kid(const emitter *E, const rx_node *n, uint32_t k) {
  return E->ast->kids[n->first + k];
}

static int nullable(const emitter *E, uint32_t i) {
  const rx_node *n = node_at(E, i);
  switch (n->type) {
    case RX_CHAR: case RX_SET: case RX_ANY: return 0;
    case RX_CAT:
      for (uint32_t k = 0; k < n->count; k++)
        if (!nullable(E, kid(E, n, k))) return 0;
      return 1;
    case RX_ALT:
      for (uint32_t k = 0; k < n->count; k++)
        if (nullable(E, kid(E, n, k))) return 1;
      return 0;
    case RX_REPEAT: return n->min == 0 || nullable(E, n->a);
    case RX_ATOMIC: return nullable(E, n->a);
    default: return 1; /* empty, assertions, lookaround */
  }
}

/* Length in code points of every match of node i, or -1 when it varies. */
static int64_t fixed_length(const emitter *E, uint32_t i) {
  const rx_node *n = node_at(E, i);
  switch (n->type) {
    case RX_CHAR: case RX_SET: case RX_ANY: return 1;
    case RX_CAT: {
      int64_t sum = 0;
      for (uint32_t k = 0; k < n->count; k++) {
        int64_t l = fixed_length(E, kid(E, n, k));
        if (l < 0) return -1;
        sum += l;
      }
      return sum;
    }
    case RX_ALT: {
      int64_t first = fixed_length(E, kid(E, n, 0));
      for (uint32_t k = 1; k < n->count; k++)
        if (fixed_length(E, kid(E, n, k)) != first) return -1;
      return first;
    }
    case RX_REPEAT: {
      if (n->min != n->max) return -1;
      int64_t l = fixed_length(E, n->a);
      return l < 0 ? -1 : l * n->min;
    }
    case RX_ATOMIC: return fixed_length(E, n->a);
    default: return 0;
  }
}

/* A set index for a single-character node (CHAR gets one made for it). */
static uint32_t single_set(emitter *E, const rx_node *n) {
  if (n->type == RX_SET) return n->a;
  tt_regex *re = E->re;
  /* sets live in re->sets, grown by the parser to exactly n_sets: grow by one here */
  uint32_t cap = re->n_sets;
  if (!tt_rx_grow(re->alloc, (void **)&re->sets, &cap, re->n_sets + 1, sizeof(tt_rx_set)))
    return emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, n->pos, "out of memory");
  uint32_t rcap = re->n_ranges;
  if (n->type == RX_CHAR &&
      !tt_rx_grow(re->alloc, (void **)&re->ranges, &rcap, re->n_ranges + 1, sizeof(tt_rx_range)))
    return emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, n->pos, "out of memory");
  tt_rx_set *s = &re->sets[re->n_sets];
  memset(s, 0, sizeof *s);
  if (n->type == RX_CHAR) {
    s->range_first = re->n_ranges;
    s->range_count = 1;
    re->ranges[re->n_ranges].lo = re->ranges[re->n_ranges].hi = n->a;
    re->n_ranges++;
    s->nonascii_never = n->a < 128;
  } else { /* ANY: every code point, but \n unless dotall */
    s->props = TT_RX_PROP_ANY;
    if (!n->kind) {
      uint32_t sub_cap = re->n_subs;
      /* [^\n] as "any & not newline": a negated single-range member */
      if (!tt_rx_grow(re->alloc, (void **)&re->sets, &cap, re->n_sets + 2, sizeof(tt_rx_set)) ||
          !tt_rx_grow(re->alloc, (void **)&re->ranges, &rcap, re->n_ranges + 1, sizeof(tt_rx_range)) ||
          !tt_rx_grow(re->alloc, (void **)&re->subs, &sub_cap, re->n_subs + 1, sizeof(uint32_t)))
        return emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, n->pos, "out of memory");
      s = &re->sets[re->n_sets];
      memset(s, 0, sizeof *s);
      tt_rx_set *nl = &re->sets[re->n_sets + 1];
      memset(nl, 0, sizeof *nl);
      nl->range_first = re->n_ranges;
      nl->range_count = 1;
      nl->negated = 1;
      re->ranges[re->n_ranges].lo = re->ranges[re->n_ranges].hi = '\n';
      re->n_ranges++;
      tt_rx_set_finish(re, nl);
      s->props = TT_RX_PROP_ANY;
      s->and_first = re->n_subs;
      s->and_count = 1;
      re->subs[re->n_subs++] = re->n_sets + 1;
      tt_rx_set_finish(re, s);
      uint32_t idx = re->n_sets;
      re->n_sets += 2;
      return idx;
    }
  }
  tt_rx_set_finish(re, s);
  return re->n_sets++;
}

static void emit(emitter *E, uint32_t i);

static void emit_lookbehind(emitter *E, const rx_node *n, uint32_t body) {
  int64_t l = fixed_length(E, body);
  const rx_node *b = node_at(E, body);
  if (l < 0 && b->type == RX_ALT) {
    /* (?<=a|bc) is (?:(?<=a)|(?<=bc)); (?<!a|bc) is (?<!a)(?<!bc) */
    int positive = n->kind == TT_RX_BEHIND;
    uint32_t *fix = NULL, n_fix = 0, fix_cap = 0;
    for (uint32_t k = 0; k < b->count && E->status == TETRA_OK; k++) {
      uint32_t alt = kid(E, b, k);
      uint32_t split = UINT32_MAX;
      if (positive && k + 1 < b->count) split = put(E, TT_RX_SPLIT, 0, 0, 0, 0, n->pos);
      int64_t al = fixed_length(E, alt);
      if (al < 0) {
        emit_fail(E, TETRA_ERR_UNSUPPORTED, node_at(E, alt)->pos,
                  "lookbehind of variable length");
        break;
      }
      uint32_t start = put(E, TT_RX_BARRIER, n->kind, 0, (uint32_t)al, 0, n->pos);
      emit(E, alt);
      put(E, TT_RX_GROUP_END, n->kind, 0, 0, 0, n->pos);
      if (E->status != TETRA_OK) break;
      E->re->prog[start].b = E->re->n_prog;
      if (positive && split != UINT32_MAX) {
        uint32_t jmp = put(E, TT_RX_JMP, 0, 0, 0, 0, n->pos);
        if (E->status != TETRA_OK) break;
        E->re->prog[split].a = split + 1;
        E->re->prog[split].b = E->re->n_prog;
        /* the jump goes to the end, patched below through the fix list */
        if (!tt_rx_grow(E->re->alloc, (void **)&fix, &fix_cap, n_fix + 1, sizeof(uint32_t))) {
          emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, n->pos, "out of memory");
          break;
        }
        fix[n_fix++] = jmp;
      }
    }
    for (uint32_t k = 0; k < n_fix && E->status == TETRA_OK; k++) E->re->prog[fix[k]].a = E->re->n_prog;
    tetra_free(E->re->alloc, fix);
    return;
  }
  if (l < 0) {
    emit_fail(E, TETRA_ERR_UNSUPPORTED, n->pos, "lookbehind of variable length");
    return;
  }
  uint32_t start = put(E, TT_RX_BARRIER, n->kind, 0, (uint32_t)l, 0, n->pos);
  emit(E, body);
  put(E, TT_RX_GROUP_END, n->kind, 0, 0, 0, n->pos);
  if (E->status == TETRA_OK) E->re->prog[start].b = E->re->n_prog;
}

/* x repeated: greedy/lazy loops with an empty-iteration check where x can match empty. */
static void emit_repeat(emitter *E, const rx_node *n) {
  const rx_node *x = node_at(E, n->a);
  int single = x->type == RX_CHAR || x->type == RX_SET || x->type == RX_ANY;
  if (single && n->kind != RX_LAZY) {
    uint32_t set = single_set(E, x);
    if (set != UINT32_MAX)
      put(E, TT_RX_REPEAT, set, n->min, n->max,
          n->kind == RX_POSSESSIVE ? TT_RX_REPEAT_POSSESSIVE : 0, n->pos);
    return;
  }
  if (n->kind == RX_POSSESSIVE) { /* x*+ is (?>x*) */
    uint32_t start = put(E, TT_RX_BARRIER, TT_RX_ATOMIC, 0, 0, 0, n->pos);
    rx_node greedy = *n;
    greedy.kind = RX_GREEDY;
    emit_repeat(E, &greedy);
    put(E, TT_RX_GROUP_END, TT_RX_ATOMIC, 0, 0, 0, n->pos);
    if (E->status == TETRA_OK) E->re->prog[start].b = E->re->n_prog;
    return;
  }
  int lazy = n->kind == RX_LAZY;
  for (uint32_t k = 0; k < n->min && E->status == TETRA_OK; k++) emit(E, n->a);
  if (n->max == RX_INF) {
    int empty = nullable(E, n->a);
    uint32_t slot = empty ? E->re->n_slots++ : 0;
    uint32_t loop = put(E, TT_RX_SPLIT, 0, 0, 0, 0, n->pos);
    if (empty) put(E, TT_RX_SAVE_POS, slot, 0, 0, 0, n->pos);
    emit(E, n->a);
    uint32_t check = empty ? put(E, TT_RX_EMPTY_CHECK, slot, 0, 0, 0, n->pos) : 0;
    put(E, TT_RX_JMP, loop, 0, 0, 0, n->pos);
    if (E->status != TETRA_OK) return;
    uint32_t exit = E->re->n_prog;
    E->re->prog[loop].a = lazy ? exit : loop + 1;
    E->re->prog[loop].b = lazy ? loop + 1 : exit;
    if (empty) E->re->prog[check].b = exit;
    return;
  }
  /* up to max - min optional copies, nested: x(x(x)?)? */
  uint32_t extra = n->max - n->min;
  uint32_t *splits = NULL, cap = 0;
  for (uint32_t k = 0; k < extra && E->status == TETRA_OK; k++) {
    uint32_t s = put(E, TT_RX_SPLIT, 0, 0, 0, 0, n->pos);
    if (s == UINT32_MAX) break;
    if (!tt_rx_grow(E->re->alloc, (void **)&splits, &cap, k + 1, sizeof(uint32_t))) {
      emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, n->pos, "out of memory");
      break;
    }
    splits[k] = s;
    emit(E, n->a);
  }
  if (E->status == TETRA_OK) {
    uint32_t exit = E->re->n_prog;
    for (uint32_t k = 0; k < extra; k++) {
      E->re->prog[splits[k]].a = lazy ? exit : splits[k] + 1;
      E->re->prog[splits[k]].b = lazy ? splits[k] + 1 : exit;
    }
  }
  tetra_free(E->re->alloc, splits);
}

static void emit(emitter *E, uint32_t i) {
  if (E->status != TETRA_OK) return;
  const rx_node *n = node_at(E, i);
  switch (n->type) {
    case RX_EMPTY: return;
    case RX_CHAR: put(E, TT_RX_CHAR, n->a, 0, 0, 0, n->pos); return;
    case RX_SET: put(E, TT_RX_SET, n->a, 0, 0, 0, n->pos); return;
    case RX_ANY: put(E, TT_RX_ANY, n->kind, 0, 0, 0, n->pos); return;
    case RX_ASSERT: put(E, TT_RX_ASSERT, n->kind, 0, 0, 0, n->pos); return;
    case RX_CAT:
      for (uint32_t k = 0; k < n->count; k++) emit(E, kid(E, n, k));
      return;
    case RX_ALT: {
      /* SPLIT L1, next; L1: a; JMP end; next: SPLIT L2, next2; ... last alternative */
      uint32_t *jumps = NULL, cap = 0;
      for (uint32_t k = 0; k < n->count && E->status == TETRA_OK; k++) {
        uint32_t split = UINT32_MAX;
        if (k + 1 < n->count) split = put(E, TT_RX_SPLIT, 0, 0, 0, 0, n->pos);
        emit(E, kid(E, n, k));
        if (k + 1 < n->count) {
          uint32_t jmp = put(E, TT_RX_JMP, 0, 0, 0, 0, n->pos);
          if (E->status != TETRA_OK) break;
          if (!tt_rx_grow(E->re->alloc, (void **)&jumps, &cap, k + 1, sizeof(uint32_t))) {
            emit_fail(E, TETRA_ERR_OUT_OF_MEMORY, n->pos, "out of memory");
            break;
          }
          jumps[k] = jmp;
          E->re->prog[split].a = split + 1;
          E->re->prog[split].b = E->re->n_prog;
        }
      }
      if (E->status == TETRA_OK)
        for (uint32_t k = 0; k + 1 < n->count; k++) E->re->prog[jumps[k]].a = E->re->n_prog;
      tetra_free(E->re->alloc, jumps);
      return;
    }
    case RX_REPEAT: emit_repeat(E, n); return;
    case RX_ATOMIC:
    case RX_LOOK: {
      uint32_t kind = n->type == RX_ATOMIC ? TT_RX_ATOMIC : n->kind;
      if (kind == TT_RX_BEHIND || kind == TT_RX_NOT_BEHIND) {
        emit_lookbehind(E, n, n->a);
        return;
      }
      uint32_t start = put(E, TT_RX_BARRIER, kind, 0, 0, 0, n->pos);
      emit(E, n->a);
      put(E, TT_RX_GROUP_END, kind, 0, 0, 0, n->pos);
      if (E->status == TETRA_OK) E->re->prog[start].b = E->re->n_prog;
      return;
    }
    default: return;
  }
}

/* First-character filter: which characters can begin a non-empty match of node i. Returns
 * whether i can match empty (then what follows contributes too). */
static int first_chars(const emitter *E, uint32_t i, uint32_t ascii[4], uint8_t *nonascii) {
  const rx_node *n = node_at(E, i);
  const tt_regex *re = E->re;
  switch (n->type) {
    case RX_CHAR:
      if (n->a < 128) ascii[n->a >> 5] |= 1u << (n->a & 31);
      else *nonascii = 1;
      return 0;
    case RX_SET: {
      const tt_rx_set *s = &re->sets[n->a];
      for (int k = 0; k < 4; k++) ascii[k] |= s->ascii[k];
      if (!s->nonascii_never) *nonascii = 1;
      return 0;
    }
    case RX_ANY:
      for (int k = 0; k < 4; k++) ascii[k] = UINT32_MAX;
      *nonascii = 1;
      return 0;
    case RX_CAT:
      for (uint32_t k = 0; k < n->count; k++)
        if (!first_chars(E, kid(E, n, k), ascii, nonascii)) return 0;
      return 1;
    case RX_ALT: {
      int any = 0;
      for (uint32_t k = 0; k < n->count; k++) any |= first_chars(E, kid(E, n, k), ascii, nonascii);
      return any;
    }
    case RX_REPEAT: {
      int empty = first_chars(E, n->a, ascii, nonascii);
      return empty || n->min == 0;
    }
    case RX_ATOMIC: return first_chars(E, n->a, ascii, nonascii);
    default: return 1; /* zero-width: the match starts with what follows */
  }
}

/* A pattern of plain characters only (no case folding) is searched as bytes. */
static void detect_literal(tt_regex *re) {
  size_t bytes = 0;
  for (uint32_t k = 0; k + 1 < re->n_prog; k++) {
    if (re->prog[k].op != TT_RX_CHAR) return;
    bytes += re->prog[k].a < 0x80 ? 1 : re->prog[k].a < 0x800 ? 2 : re->prog[k].a < 0x10000 ? 3 : 4;
  }
  if (re->n_prog < 2 || re->prog[re->n_prog - 1].op != TT_RX_MATCH) return;
  re->literal = tetra_alloc(re->alloc, bytes + 1);
  if (!re->literal) return; /* the general engine still works */
  size_t at = 0;
  for (uint32_t k = 0; k + 1 < re->n_prog; k++) at += (size_t)tt_utf8_encode(re->prog[k].a, re->literal + at);
  re->literal_len = at;
  re->fast = TT_RX_FAST_LITERAL;
  re->fast_enabled = 1;
}

void tt_regex_free(tt_regex *re) {
  if (!re) return;
  const tetra_allocator *a = re->alloc;
  tetra_free(a, re->prog);
  tetra_free(a, re->sets);
  tetra_free(a, re->ranges);
  tetra_free(a, re->subs);
  tetra_free(a, re->literal);
  tetra_free(a, re);
}

tetra_status tt_regex_compile(const char *pattern, size_t len, const tetra_allocator *a,
                              tt_regex **out, tetra_error *err) {
  if (!out || (!pattern && len))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "regex: pattern or out is NULL");
  *out = NULL;
  if (!a) a = tetra_allocator_default();
  if (len > (1u << 20))
    return tt_rx_error(err, TETRA_ERR_LIMIT, pattern, len, "pattern of %zu bytes is over 1 MiB", len);
  tt_regex *re = tetra_alloc(a, sizeof *re);
  if (!re) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "regex: out of memory");
  memset(re, 0, sizeof *re);
  re->alloc = a;
  rx_ast ast;
  tetra_status st = tt_rx_parse(re, pattern, len, &ast, err);
  if (st != TETRA_OK) {
    tt_regex_free(re);
    return st;
  }
  emitter E = {re, &ast, 0, pattern, len, err, TETRA_OK};
  emit(&E, ast.root);
  put(&E, TT_RX_MATCH, 0, 0, 0, 0, (uint32_t)len);
  if (E.status == TETRA_OK) {
    re->first_any = (uint8_t)first_chars(&E, ast.root, re->first_ascii, &re->first_nonascii);
  }
  tt_rx_ast_free(a, &ast);
  if (E.status != TETRA_OK) {
    tt_regex_free(re);
    return E.status;
  }
  if (len == sizeof GPT2_PATTERN - 1 && memcmp(pattern, GPT2_PATTERN, len) == 0) {
    re->fast = TT_RX_FAST_GPT2;
  } else if (len == sizeof CL100K_PATTERN - 1 && memcmp(pattern, CL100K_PATTERN, len) == 0) {
    re->fast = TT_RX_FAST_CL100K;
    re->fast_digits = 3;
  } else if (len == sizeof QWEN2_PATTERN - 1 && memcmp(pattern, QWEN2_PATTERN, len) == 0) {
    re->fast = TT_RX_FAST_CL100K;
    re->fast_digits = 1;
  } else {
    detect_literal(re);
  }
  re->fast_enabled = re->fast != TT_RX_FAST_NONE;
  *out = re;
  return TETRA_OK;
}

void tt_regex_set_fast(tt_regex *re, int enabled) {
  if (re) re->fast_enabled = (uint8_t)(enabled && re->fast != TT_RX_FAST_NONE);
}

int tt_regex_fast_kind(const tt_regex *re) { return re ? re->fast : TT_RX_FAST_NONE; }
