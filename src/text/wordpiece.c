/* WordPiece (HF tokenizers/src/models/wordpiece): greedy longest-match-first. At the start of a
 * word any vocabulary token may match; after that, only tokens that carry the continuing-subword
 * prefix ("##"), matched without it. HF tries every end from the longest down with one hash lookup
 * each; a longest-match walk through a byte trie finds the same token (vocabulary keys are whole
 * UTF-8 strings, so matches end on character boundaries) in one pass. A word with more than
 * max_input_chars_per_word characters, or with a position where nothing matches, becomes one unk
 * token spanning the word. */
#include <stdio.h>
#include <string.h>

#include "text/model_impl.h"

/* The whole-word lookup: most words of real text are tokens themselves, so one lookup per word
 * dominates. The vocabulary's string map keeps key bytes in a separate block (two cache misses
 * per lookup); here a slot holds a key's first 8 bytes, so a key of up to 8 bytes (most of them)
 * is compared within its slot. Longer keys compare the rest in `tail`. */
typedef struct wp_slot {
  uint64_t head;   /* the key's first 8 bytes, zero-padded */
  uint32_t id;
  uint32_t len_at; /* key length << 24 | offset of bytes 8.. in tail; 0: empty slot */
} wp_slot;
#define WP_WORD_MAX 255u          /* longer keys are not in the table (nor are such tokens real) */
#define WP_TAIL_MAX (1u << 24)    /* offsets of the tail block fit in 24 bits */

typedef struct wp_words {
  wp_slot *slots; /* NULL when the table could not be built: use the string map */
  uint32_t mask;
  char *tail;
  uint32_t tail_len;
} wp_words;

static inline uint64_t wp_head(const char *s, size_t len) {
  uint64_t h = 0;
  if (len >= 8) {
    memcpy(&h, s, 8); /* little-endian or not, the same for insert and lookup */
  } else {
    unsigned char b[8] = {0};
    memcpy(b, s, len);
    memcpy(&h, b, 8);
  }
  return h;
}

static inline int wp_same(const char *a, const char *b, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* The slot of key s, or of the empty slot where it goes. */
static inline wp_slot *wp_words_find(const wp_words *w, const char *s, size_t len, uint64_t head) {
  uint32_t i = tt_hash_bytes(s, len) & w->mask;
  for (;;) {
    wp_slot *e = &w->slots[i];
    if (e->len_at == 0) return e;
    if (e->head == head && e->len_at >> 24 == len &&
        (len <= 8 || wp_same(w->tail + (e->len_at & (WP_TAIL_MAX - 1)), s + 8, len - 8)))
      return e;
    i = (i + 1) & w->mask;
  }
}

static void wp_words_free(wp_words *w, const tetra_allocator *a) {
  tetra_free(a, w->slots);
  tetra_free(a, w->tail);
  w->slots = NULL;
  w->tail = NULL;
}

/* Builds the table from the "vocab" object in document order (a duplicate key: the last id wins,
 * as in the map). Leaves slots NULL, and the map in charge, when a key is too long for it. */
static tetra_status wp_words_build(wp_words *w, const tetra_json *vocab, const tetra_allocator *a,
                                   tetra_error *err) {
  memset(w, 0, sizeof *w);
  size_t tail = 0;
  for (uint32_t i = 0; i < vocab->len; i++) {
    size_t len = vocab->u.items[2 * i].len;
    if (len > WP_WORD_MAX) return TETRA_OK;
    if (len > 8) tail += len - 8;
  }
  if (tail >= WP_TAIL_MAX || vocab->len > (1u << 28)) return TETRA_OK;
  uint32_t n = 16;
  while (n < 2u * vocab->len) n *= 2;
  w->slots = tetra_alloc(a, (size_t)n * sizeof(wp_slot));
  w->tail = tetra_alloc(a, tail ? tail : 1);
  if (!w->slots || !w->tail) {
    wp_words_free(w, a);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "WordPiece: out of memory");
  }
  memset(w->slots, 0, (size_t)n * sizeof(wp_slot));
  w->mask = n - 1;
  for (uint32_t i = 0; i < vocab->len; i++) {
    const tetra_json *k = &vocab->u.items[2 * i];
    if (k->len == 0) continue; /* no word is empty */
    uint64_t head = wp_head(k->u.string, k->len);
    wp_slot *e = wp_words_find(w, k->u.string, k->len, head);
    if (e->len_at == 0) {
      e->head = head;
      e->len_at = (uint32_t)k->len << 24 | w->tail_len;
      if (k->len > 8) {
        memcpy(w->tail + w->tail_len, k->u.string + 8, k->len - 8);
        w->tail_len += (uint32_t)(k->len - 8);
      }
    }
    e->id = (uint32_t)vocab->u.items[2 * i + 1].u.number;
  }
  return TETRA_OK;
}

static inline int wp_words_get(const wp_words *w, const tt_vocab *v, const char *s, size_t len,
                               uint32_t *id) {
  if (!w->slots || len > WP_WORD_MAX) return tt_vocab_get(v, s, len, id);
  const wp_slot *e = wp_words_find(w, s, len, wp_head(s, len));
  if (e->len_at == 0) return 0;
  *id = e->id;
  return 1;
}

struct tt_wordpiece {
  wp_words words; /* whole words */
  tt_vtrie first; /* every vocabulary token */
  tt_vtrie cont;  /* tokens that start with the prefix, without it */
  uint64_t max_chars;
  int has_unk;
  uint32_t unk_id;
  char unk_name[64]; /* for the error when the unk token is missing */
};

static void wp_release(tt_model *m, struct tt_wordpiece *wp) {
  if (!wp) return;
  tt_vtrie_free(&wp->first, m->alloc);
  tt_vtrie_free(&wp->cont, m->alloc);
  wp_words_free(&wp->words, m->alloc);
  tetra_free(m->alloc, wp);
}

tetra_status tt_wordpiece_load(tt_model *m, const tetra_json *j, const char *path,
                               tetra_error *err) {
  const char *unk, *prefix;
  size_t unk_len, prefix_len;
  uint64_t max_chars;
  tetra_status st = tt_json_req_string(j, path, "unk_token", &unk, &unk_len, err);
  if (st == TETRA_OK)
    st = tt_json_req_string(j, path, "continuing_subword_prefix", &prefix, &prefix_len, err);
  if (st == TETRA_OK)
    st =
        tt_json_uint(j, path, "max_input_chars_per_word", (uint64_t)1 << 53, &max_chars, NULL, err);
  if (st != TETRA_OK) return st;
  st = tt_vocab_from_field(&m->vocab, j, path, m->alloc, err);
  if (st != TETRA_OK) return st;

  struct tt_wordpiece *wp = tetra_alloc(m->alloc, sizeof *wp);
  if (!wp) {
    tt_vocab_free(&m->vocab, m->alloc);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
  }
  memset(wp, 0, sizeof *wp);
  wp->max_chars = max_chars;
  wp->has_unk = tt_vocab_get(&m->vocab, unk, unk_len, &wp->unk_id);
  snprintf(wp->unk_name, sizeof wp->unk_name, "%s", unk);
  st = tt_vtrie_init(&wp->first, m->alloc, err);
  if (st == TETRA_OK) st = tt_vtrie_init(&wp->cont, m->alloc, err);
  /* Insert in document order so that a duplicate key behaves like the map (the last one wins). */
  const tetra_json *vocab = tetra_json_get(j, "vocab");
  if (st == TETRA_OK) st = wp_words_build(&wp->words, vocab, m->alloc, err);
  for (uint32_t i = 0; st == TETRA_OK && i < vocab->len; i++) {
    const tetra_json *k = &vocab->u.items[2 * i];
    uint32_t id = (uint32_t)vocab->u.items[2 * i + 1].u.number;
    st = tt_vtrie_insert(&wp->first, m->alloc, k->u.string, k->len, id, err);
    if (st == TETRA_OK && k->len >= prefix_len && memcmp(k->u.string, prefix, prefix_len) == 0)
      st = tt_vtrie_insert(&wp->cont, m->alloc, k->u.string + prefix_len, k->len - prefix_len, id,
                           err);
  }
  if (st != TETRA_OK) {
    wp_release(m, wp);
    tt_vocab_free(&m->vocab, m->alloc);
    return st;
  }
  m->impl = wp;
  return TETRA_OK;
}

void tt_wordpiece_free(tt_model *m) {
  wp_release(m, m->impl);
  m->impl = NULL;
}

tetra_status tt_wordpiece_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                                   tetra_error *err) {
  const struct tt_wordpiece *wp = m->impl;
  const unsigned char *s = (const unsigned char *)text;
  uint64_t chars = 0;
  for (uint32_t i = 0; i < len; i++) chars += (s[i] & 0xC0) != 0x80;
  size_t base = out->n;
  if (chars <= wp->max_chars) {
    /* A word that is itself a token is its own longest match: one hash lookup instead of a trie
     * walk, and most words of real text are (the map holds the same keys as wp->first). */
    uint32_t id;
    if (len > 0 && wp_words_get(&wp->words, &m->vocab, text, len, &id))
      return tt_tokens_push(out, id, 0, len, err);
    uint32_t start = 0;
    while (start < len) {
      const tt_vtrie *t = start == 0 ? &wp->first : &wp->cont;
      uint32_t node = 0, best_end = 0, best_id = TT_NO_ID;
      for (uint32_t i = start; i < len; i++) {
        node = tt_vtrie_step(t, node, s[i]);
        if (!node) break;
        if (t->value[node] != TT_NO_ID) {
          best_end = i + 1;
          best_id = t->value[node];
        }
      }
      if (!best_end) break;
      tetra_status st = tt_tokens_push(out, best_id, start, best_end, err);
      if (st != TETRA_OK) {
        out->n = base;
        return st;
      }
      start = best_end;
    }
    if (start == len) return TETRA_OK;
  }
  out->n = base;
  if (!wp->has_unk)
    return tetra_error_set(
        err, TETRA_ERR_FORMAT,
        "WordPiece: the unk_token \"%s\" is not in the vocabulary, and a word needs it",
        wp->unk_name);
  return tt_tokens_push(out, wp->unk_id, 0, len, err);
}
