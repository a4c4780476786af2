/* The backtracking matcher: runs a compiled program (regex_internal.h) at one start position
 * with an explicit stack, searches leftmost-first, and iterates matches as the onig crate's
 * find_iter does (what HF tokenizers' find_matches consumes).
 *
 * Every instruction, every character a repetition consumes and every backtrack costs one step
 * from a budget of 2^24 + 256 steps per byte of text, shared by one tt_regex_find_all call: real
 * tokenizer patterns need a few steps per byte; catastrophic patterns ((a|aa)+$, a+b|a over long
 * runs of a) fail with TETRA_ERR_LIMIT instead of running for hours. */
#include <string.h>

#include "regex_internal.h"

#define RX_BUDGET_BASE ((int64_t)1 << 24)
#define RX_BUDGET_PER_BYTE 256

enum { BT_CHOICE, BT_REPEAT, BT_BARRIER, BT_SLOT };

typedef struct rx_bt {
  uint32_t kind, pc; /* BT_BARRIER: pc = continuation; BT_SLOT: pc = slot */
  size_t pos;        /* resume position; BT_REPEAT: current end of the run; BT_SLOT: old value */
  size_t aux;        /* BT_REPEAT: end of the minimum; BT_BARRIER: barrier kind */
} rx_bt;

typedef struct rx_ctx {
  const tt_regex *re;
  const unsigned char *s;
  size_t len;
  size_t search_start;
  rx_bt *stack;
  size_t sp, cap;
  size_t *slots;
  int64_t budget;
  tetra_error *err;
} rx_ctx;

static int push(rx_ctx *C, uint32_t kind, uint32_t pc, size_t pos, size_t aux) {
  if (C->sp == C->cap) {
    size_t fresh = C->cap ? C->cap * 2 : 64;
    rx_bt *q = tetra_alloc(C->re->alloc, fresh * sizeof(rx_bt));
    if (!q) {
      tetra_error_set(C->err, TETRA_ERR_OUT_OF_MEMORY, "regex: out of memory for the backtracking stack");
      return 0;
    }
    if (C->stack) {
      memcpy(q, C->stack, C->sp * sizeof(rx_bt));
      tetra_free(C->re->alloc, C->stack);
    }
    C->stack = q;
    C->cap = fresh;
  }
  rx_bt *e = &C->stack[C->sp++];
  e->kind = kind, e->pc = pc, e->pos = pos, e->aux = aux;
  return 1;
}

static int word_at(const rx_ctx *C, size_t pos) {
  size_t n;
  return pos < C->len && tt_rx_is_word(tt_rx_decode(C->s, C->len, pos, &n));
}

static int word_before(const rx_ctx *C, size_t pos) {
  return pos > 0 && word_at(C, tt_rx_prev(C->s, pos));
}

static int check_assert(const rx_ctx *C, uint32_t kind, size_t pos) {
  switch (kind) {
    case TT_RX_BOL: return pos == 0 || C->s[pos - 1] == '\n';
    case TT_RX_EOL: return pos == C->len || C->s[pos] == '\n';
    case TT_RX_BOS: return pos == 0;
    case TT_RX_EOS: return pos == C->len;
    case TT_RX_EOS_NL: return pos == C->len || (pos + 1 == C->len && C->s[pos] == '\n');
    case TT_RX_WORDB: return word_before(C, pos) != word_at(C, pos);
    case TT_RX_NWORDB: return word_before(C, pos) == word_at(C, pos);
    case TT_RX_SEARCH_START: return pos == C->search_start;
    default: return 0;
  }
}

static int budget_out(rx_ctx *C, size_t start) {
  tetra_error_set(C->err, TETRA_ERR_LIMIT,
                  "regex: backtracking budget exhausted while matching at byte %zu (the pattern is "
                  "too ambiguous for this input)",
                  start);
  return -1;
}

/* Runs the program at `start`. 1 and *end on a match, 0 without, -1 on error. */
static int run(rx_ctx *C, size_t start, size_t *end) {
  const tt_regex *re = C->re;
  const tt_rx_inst *prog = re->prog;
  const unsigned char *s = C->s;
  const size_t len = C->len;
  size_t pos = start, n;
  uint32_t pc = 0;
  C->sp = 0;
  for (;;) {
    if (--C->budget < 0) return budget_out(C, start);
    const tt_rx_inst *in = &prog[pc];
    switch (in->op) {
      case TT_RX_MATCH:
        *end = pos;
        return 1;
      case TT_RX_CHAR:
        if (pos < len) {
          if (in->a < 0x80) {
            if (s[pos] == in->a) {
              pos++, pc++;
              continue;
            }
          } else if (tt_rx_decode(s, len, pos, &n) == in->a) {
            pos += n, pc++;
            continue;
          }
        }
        goto fail;
      case TT_RX_SET:
        if (pos < len) {
          unsigned b = s[pos];
          const tt_rx_set *set = &re->sets[in->a];
          if (b < 0x80) {
            if ((set->ascii[b >> 5] >> (b & 31)) & 1u) {
              pos++, pc++;
              continue;
            }
          } else if (!set->nonascii_never && tt_rx_set_has(re, set, tt_rx_decode(s, len, pos, &n))) {
            pos += n, pc++;
            continue;
          }
        }
        goto fail;
      case TT_RX_ANY:
        if (pos < len && (in->a || s[pos] != '\n')) {
          tt_rx_decode(s, len, pos, &n);
          pos += n, pc++;
          continue;
        }
        goto fail;
      case TT_RX_SPLIT: {
        /* When the preferred branch starts with a character test that fails here, go straight
         * to the other one: alternations such as 's|'t|'re|... mostly fail on their first byte. */
        const tt_rx_inst *first = &prog[in->a];
        if (first->op == TT_RX_CHAR && first->a < 0x80 && (pos >= len || s[pos] != first->a)) {
          pc = in->b;
          continue;
        }
        if (first->op == TT_RX_SET && pos < len && s[pos] < 0x80) {
          const tt_rx_set *set = &re->sets[first->a];
          if (!((set->ascii[s[pos] >> 5] >> (s[pos] & 31)) & 1u)) {
            pc = in->b;
            continue;
          }
        }
        if (!push(C, BT_CHOICE, in->b, pos, 0)) return -1;
        pc = in->a;
        continue;
      }
      case TT_RX_JMP:
        pc = in->a;
        continue;
      case TT_RX_ASSERT:
        if (!check_assert(C, in->a, pos)) goto fail;
        pc++;
        continue;
      case TT_RX_REPEAT: {
        const tt_rx_set *set = &re->sets[in->a];
        uint32_t count = 0, max = in->c;
        size_t p = pos, min_end = in->b == 0 ? pos : 0;
        while (count < max && p < len) {
          unsigned b = s[p];
          if (b < 0x80) {
            if (!((set->ascii[b >> 5] >> (b & 31)) & 1u)) break;
            n = 1;
          } else if (set->nonascii_never || !tt_rx_set_has(re, set, tt_rx_decode(s, len, p, &n))) {
            break;
          }
          p += n;
          if (++count == in->b) min_end = p;
        }
        C->budget -= count;
        if (count < in->b) goto fail;
        if (count > in->b && !(in->d & TT_RX_REPEAT_POSSESSIVE) &&
            !push(C, BT_REPEAT, pc + 1, p, min_end))
          return -1;
        pos = p, pc++;
        continue;
      }
      case TT_RX_BARRIER: {
        size_t from = pos;
        if (in->a == TT_RX_BEHIND || in->a == TT_RX_NOT_BEHIND) {
          for (uint32_t k = 0; k < in->c; k++) {
            if (from == 0) {
              if (in->a == TT_RX_BEHIND) goto fail;
              goto not_behind_ok;
            }
            from = tt_rx_prev(s, from);
          }
        }
        if (!push(C, BT_BARRIER, in->b, pos, in->a)) return -1;
        pos = from, pc++;
        continue;
      not_behind_ok:
        pc = in->b;
        continue;
      }
      case TT_RX_GROUP_END: {
        size_t k = C->sp;
        while (k > 0 && C->stack[k - 1].kind != BT_BARRIER) k--;
        if (k == 0) return -1; /* cannot happen: a compiled body is balanced */
        rx_bt *bar = &C->stack[k - 1];
        if ((in->a == TT_RX_BEHIND || in->a == TT_RX_NOT_BEHIND) && pos != bar->pos) goto fail;
        size_t saved = bar->pos;
        /* The body's own choices go away, but slot restores must stay so that backtracking
         * past the group still undoes them: keep those. */
        size_t w = k - 1;
        for (size_t r = k; r < C->sp; r++)
          if (C->stack[r].kind == BT_SLOT) C->stack[w++] = C->stack[r];
        C->sp = w;
        if (in->a == TT_RX_NOT_AHEAD || in->a == TT_RX_NOT_BEHIND) goto fail;
        if (in->a != TT_RX_ATOMIC) pos = saved;
        pc++;
        continue;
      }
      case TT_RX_SAVE_POS:
        if (!push(C, BT_SLOT, in->a, C->slots[in->a], 0)) return -1;
        C->slots[in->a] = pos;
        pc++;
        continue;
      case TT_RX_EMPTY_CHECK:
        pc = C->slots[in->a] == pos ? in->b : pc + 1;
        continue;
      default:
        return -1;
    }
  fail:
    for (;;) {
      if (C->sp == 0) return 0;
      if (--C->budget < 0) return budget_out(C, start);
      rx_bt *e = &C->stack[C->sp - 1];
      if (e->kind == BT_CHOICE) {
        C->sp--;
        pc = e->pc, pos = e->pos;
        break;
      }
      if (e->kind == BT_REPEAT) {
        size_t p = tt_rx_prev(s, e->pos);
        if (p <= e->aux)
          C->sp--;
        else
          e->pos = p;
        pc = e->pc, pos = p;
        break;
      }
      if (e->kind == BT_SLOT) {
        C->slots[e->pc] = e->pos;
        C->sp--;
        continue;
      }
      /* a barrier: its body failed */
      C->sp--;
      if (e->aux == TT_RX_NOT_AHEAD || e->aux == TT_RX_NOT_BEHIND) {
        pc = e->pc, pos = e->pos;
        break;
      }
    }
  }
}

/* Plain-string patterns: a byte search (the text is UTF-8, so a byte match of a whole UTF-8
 * string starts on a character boundary). */
static int literal_search(const tt_regex *re, const char *text, size_t len, size_t from,
                          size_t *start, size_t *end) {
  const char *lit = re->literal;
  size_t m = re->literal_len;
  if (m == 0 || len < m) return 0;
  for (size_t p = from; p + m <= len;) {
    const char *hit = memchr(text + p, (unsigned char)lit[0], len - m + 1 - p);
    if (!hit) return 0;
    p = (size_t)(hit - text);
    if (memcmp(hit, lit, m) == 0) {
      *start = p;
      *end = p + m;
      return 1;
    }
    p++;
  }
  return 0;
}

static int search(rx_ctx *C, size_t from, size_t *start, size_t *end) {
  const tt_regex *re = C->re;
  if (re->fast_enabled) {
    if (re->fast == TT_RX_FAST_LITERAL) return literal_search(re, (const char *)C->s, C->len, from, start, end);
    return tt_rx_fast_search(re, (const char *)C->s, C->len, from, start, end);
  }
  const unsigned char *s = C->s;
  size_t len = C->len, n;
  C->search_start = from;
  for (size_t p = from; p <= len;) {
    if (!re->first_any) {
      while (p < len) {
        unsigned b = s[p];
        if (b < 0x80 ? (re->first_ascii[b >> 5] >> (b & 31)) & 1u : re->first_nonascii) break;
        if (b < 0x80) {
          p++;
        } else {
          tt_rx_decode(s, len, p, &n);
          p += n;
        }
      }
      if (p == len) return 0; /* a pattern that cannot match empty needs a character */
    }
    size_t e;
    int r = run(C, p, &e);
    if (r != 0) {
      if (r > 0) *start = p, *end = e;
      return r;
    }
    if (p == len) break;
    tt_rx_decode(s, len, p, &n);
    p += n;
  }
  return 0;
}

static int ctx_init(rx_ctx *C, const tt_regex *re, const char *text, size_t len, size_t from,
                    tetra_error *err) {
  memset(C, 0, sizeof *C);
  C->re = re;
  C->s = (const unsigned char *)text;
  C->len = len;
  C->err = err;
  C->budget = RX_BUDGET_BASE + (int64_t)(len - from) * RX_BUDGET_PER_BYTE;
  if (re->n_slots) {
    C->slots = tetra_alloc(re->alloc, re->n_slots * sizeof(size_t));
    if (!C->slots) {
      tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "regex: out of memory");
      return 0;
    }
    memset(C->slots, 0xFF, re->n_slots * sizeof(size_t));
  }
  return 1;
}

static void ctx_free(rx_ctx *C) {
  tetra_free(C->re->alloc, C->stack);
  tetra_free(C->re->alloc, C->slots);
}

int tt_regex_search(const tt_regex *re, const char *text, size_t len, size_t from, size_t *start,
                    size_t *end, tetra_error *err) {
  if (!re || !start || !end || (!text && len)) {
    tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "regex: search with a NULL argument");
    return -1;
  }
  if (from > len) return 0;
  rx_ctx C;
  if (!ctx_init(&C, re, text ? text : "", len, from, err)) return -1;
  int r = search(&C, from, start, end);
  ctx_free(&C);
  return r;
}

tetra_status tt_regex_find_all(const tt_regex *re, const char *text, size_t len,
                               const tetra_allocator *a, tt_matches *m, tetra_error *err) {
  if (!re || !m || (!text && len))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "regex: find_all with a NULL argument");
  if (!a) a = tetra_allocator_default();
  if (len > UINT32_MAX)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "regex: text of %zu bytes is over 4 GiB", len);
  /* HF's find_matches treats an empty text as one non-match without running the regex. */
  if (len == 0) return TETRA_OK;
  rx_ctx C;
  if (!ctx_init(&C, re, text, len, 0, err)) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  tetra_status st = TETRA_OK;
  size_t last_end = 0;
  int skip_next_empty = 0;
  /* The onig crate's FindMatches: after an empty match the next search starts one character
   * later, and an empty match right after a non-empty one is dropped. */
  while (last_end <= len) {
    size_t s, e;
    int r = search(&C, last_end, &s, &e);
    if (r < 0) {
      st = err ? err->code : TETRA_ERR_LIMIT;
      break;
    }
    if (r == 0) break;
    last_end = e;
    if (e == s) {
      size_t n = 1;
      if (e < len) tt_rx_decode((const unsigned char *)text, len, e, &n);
      last_end += n;
      if (skip_next_empty) {
        skip_next_empty = 0;
        continue;
      }
    } else {
      skip_next_empty = 1;
    }
    st = tt_matches_push(m, a, (uint32_t)s, (uint32_t)e, err);
    if (st != TETRA_OK) break;
  }
  ctx_free(&C);
  return st;
}
