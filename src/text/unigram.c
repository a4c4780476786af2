/* Unigram (HF tokenizers/src/models/unigram/model.rs, encode_optimized): the Viterbi best path over
 * all vocabulary pieces that start at each character (found by walking a byte trie), where a
 * character that no single-character piece covers gets an unk node scored min_score - 10
 * (kUnkPenalty). Ties keep the path found first (a strictly better score replaces a node). On the
 * way back, consecutive unk nodes fuse into one token, whose text is then looked up again: a piece
 * of the vocabulary if it happens to be one, else <0xXX> byte tokens (byte_fallback, each spanning
 * the whole fused text, as HF reports them), else the unk id. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text/model_impl.h"

#define K_UNK_PENALTY 10.0

typedef struct ug_span {
  uint32_t start, end, id; /* id TT_NO_ID: fused unknown text, resolved when emitted */
} ug_span;

struct tt_unigram {
  tt_vtrie trie;
  double *scores;
  uint32_t n;
  int has_unk, byte_fallback;
  uint32_t unk_id;
  double min_score;
  uint32_t byte_ids[256];
  /* scratch, per position of the piece */
  double *best;
  int32_t *from;
  uint32_t *node_id;
  size_t cap;
  ug_span *spans;
  size_t spans_cap;
};

static void ug_release(tt_model *m, struct tt_unigram *u) {
  if (!u) return;
  tt_vtrie_free(&u->trie, m->alloc);
  tetra_free(m->alloc, u->scores);
  tetra_free(m->alloc, u->best);
  tetra_free(m->alloc, u->from);
  tetra_free(m->alloc, u->node_id);
  tetra_free(m->alloc, u->spans);
  tetra_free(m->alloc, u);
}

tetra_status tt_unigram_load(tt_model *m, const tetra_json *j, const char *path, tetra_error *err) {
  const tetra_json *vocab = tetra_json_get(j, "vocab");
  if (!vocab)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s: missing field \"vocab\"",
                           path);
  if (vocab->type != TETRA_JSON_ARRAY)
    return tetra_error_set(
        err, TETRA_ERR_FORMAT,
        "tokenizer.json: %s.vocab: expected an array of [piece, score] pairs, found %s", path,
        tt_json_type_of(vocab));
  uint64_t unk_id;
  int has_unk, byte_fallback;
  tetra_status st = tt_json_uint(j, path, "unk_id", UINT32_MAX, &unk_id, &has_unk, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "byte_fallback", 0, &byte_fallback, err);
  if (st != TETRA_OK) return st;
  uint32_t n = vocab->len;
  if (has_unk && n == 0)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.vocab: empty, but unk_id needs a piece", path);
  if (has_unk && unk_id >= n)
    return tetra_error_set(
        err, TETRA_ERR_FORMAT,
        "tokenizer.json: %s.unk_id: %llu is not below the %u pieces of the vocabulary", path,
        (unsigned long long)unk_id, n);
  for (uint32_t i = 0; i < n; i++) {
    const tetra_json *it = &vocab->u.items[i];
    if (it->type != TETRA_JSON_ARRAY || it->len != 2 || it->u.items[0].type != TETRA_JSON_STRING ||
        it->u.items[1].type != TETRA_JSON_NUMBER)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.json: %s.vocab[%u]: expected a [piece, score] pair", path,
                             i);
  }
  if (n >= TT_MAX_VOCAB_ID)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "tokenizer.json: %s.vocab: %u pieces is beyond tetra's limit", path, n);

  struct tt_unigram *u = tetra_alloc(m->alloc, sizeof *u);
  if (!u)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
  memset(u, 0, sizeof *u);
  u->n = n;
  u->has_unk = has_unk;
  u->unk_id = (uint32_t)unk_id;
  u->byte_fallback = byte_fallback;
  u->scores = tetra_alloc(m->alloc, (n ? n : 1) * sizeof *u->scores);
  const char **strs = tetra_alloc(m->alloc, (n ? n : 1) * sizeof *strs);
  uint32_t *lens = tetra_alloc(m->alloc, (n ? n : 1) * sizeof *lens);
  if (!u->scores || !strs || !lens)
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: %s: out of memory", path);
  u->min_score = INFINITY;
  for (uint32_t i = 0; st == TETRA_OK && i < n; i++) {
    const tetra_json *it = &vocab->u.items[i];
    strs[i] = it->u.items[0].u.string;
    lens[i] = it->u.items[0].len;
    u->scores[i] = it->u.items[1].u.number;
    if (u->scores[i] < u->min_score) u->min_score = u->scores[i];
  }
  int have_vocab = 0;
  if (st == TETRA_OK) st = tt_vocab_from_list(&m->vocab, strs, lens, n, m->alloc, err);
  if (st == TETRA_OK) have_vocab = 1;
  if (st == TETRA_OK) st = tt_vtrie_init(&u->trie, m->alloc, err);
  /* pieces in order: a repeated piece maps to its last id, as HF's token_to_ids */
  for (uint32_t i = 0; st == TETRA_OK && i < n; i++)
    st = tt_vtrie_insert(&u->trie, m->alloc, strs[i], lens[i], i, err);
  tetra_free(m->alloc, strs);
  tetra_free(m->alloc, lens);
  for (int b = 0; st == TETRA_OK && b < 256; b++) {
    char name[8];
    snprintf(name, sizeof name, "<0x%02X>", b);
    if (!tt_vocab_get(&m->vocab, name, 6, &u->byte_ids[b])) u->byte_ids[b] = TT_NO_ID;
  }
  if (st != TETRA_OK) {
    if (have_vocab) tt_vocab_free(&m->vocab, m->alloc);
    ug_release(m, u);
    return st;
  }
  m->impl = u;
  return TETRA_OK;
}

void tt_unigram_free(tt_model *m) {
  ug_release(m, m->impl);
  m->impl = NULL;
}

static inline uint32_t seq_len(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

static tetra_status no_unk(uint32_t at, tetra_error *err) {
  return tetra_error_set(
      err, TETRA_ERR_FORMAT,
      "Unigram: the character at byte %u is not in the vocabulary and the model has no unk_id", at);
}

static tetra_status emit_unknown(tt_model *m, const struct tt_unigram *u, const char *text,
                                 const ug_span *sp, tt_tokens *out, tetra_error *err) {
  uint32_t id;
  if (tt_vocab_get(&m->vocab, text + sp->start, sp->end - sp->start, &id))
    return tt_tokens_push(out, id, sp->start, sp->end, err);
  if (u->byte_fallback) {
    const unsigned char *s = (const unsigned char *)text;
    uint32_t k = sp->start;
    while (k < sp->end && u->byte_ids[s[k]] != TT_NO_ID) k++;
    if (k == sp->end) {
      for (k = sp->start; k < sp->end; k++) {
        tetra_status st = tt_tokens_push(out, u->byte_ids[s[k]], sp->start, sp->end, err);
        if (st != TETRA_OK) return st;
      }
      return TETRA_OK;
    }
  }
  if (!u->has_unk) return no_unk(sp->start, err);
  return tt_tokens_push(out, u->unk_id, sp->start, sp->end, err);
}

tetra_status tt_unigram_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                                 tetra_error *err) {
  struct tt_unigram *u = m->impl;
  if (len == 0) return TETRA_OK;
  const unsigned char *s = (const unsigned char *)text;
  size_t need = (size_t)len + 1;
  if (need > u->cap) {
    size_t cap = u->cap ? u->cap : 64;
    while (cap < need) cap *= 2;
    double *best = tetra_alloc(m->alloc, cap * sizeof *best);
    int32_t *from = tetra_alloc(m->alloc, cap * sizeof *from);
    uint32_t *node_id = tetra_alloc(m->alloc, cap * sizeof *node_id);
    ug_span *spans = tetra_alloc(m->alloc, cap * sizeof *spans);
    if (!best || !from || !node_id || !spans || len >= INT32_MAX) {
      tetra_free(m->alloc, best);
      tetra_free(m->alloc, from);
      tetra_free(m->alloc, node_id);
      tetra_free(m->alloc, spans);
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                             "Unigram: out of memory for a piece of %u bytes", len);
    }
    tetra_free(m->alloc, u->best);
    tetra_free(m->alloc, u->from);
    tetra_free(m->alloc, u->node_id);
    tetra_free(m->alloc, u->spans);
    u->best = best;
    u->from = from;
    u->node_id = node_id;
    u->spans = spans;
    u->cap = cap;
  }
  double *best = u->best;
  int32_t *from = u->from;
  uint32_t *node_id = u->node_id;
  for (uint32_t i = 0; i <= len; i++) {
    best[i] = 0.0;
    from[i] = -1;
    node_id[i] = 0;
  }
  const double unk_score = u->min_score - K_UNK_PENALTY;
  const uint32_t *value = u->trie.value;
  for (uint32_t at = 0; at < len;) {
    const double base = best[at];
    uint32_t mblen = seq_len(s[at]);
    if (mblen > len - at) mblen = len - at;
    int has_single = 0;
    uint32_t node = 0;
    for (uint32_t k = at; k < len; k++) {
      node = tt_vtrie_step(&u->trie, node, s[k]);
      if (!node) break;
      uint32_t id = value[node];
      if (id == TT_NO_ID) continue;
      uint32_t end = k + 1;
      double cand = u->scores[id] + base;
      if (from[end] < 0 || cand > best[end]) {
        best[end] = cand;
        from[end] = (int32_t)at;
        node_id[end] = id;
      }
      if (end - at == mblen) has_single = 1;
    }
    if (!has_single) {
      uint32_t end = at + mblen;
      double cand = unk_score + base;
      if (from[end] < 0 || cand > best[end]) {
        if (!u->has_unk) return no_unk(at, err);
        best[end] = cand;
        from[end] = (int32_t)at;
        node_id[end] = u->unk_id;
      }
    }
    at += mblen;
  }

  /* back from the end; unk nodes (id == unk_id, whatever matched them) fuse */
  size_t n = 0;
  int fusing = 0;
  uint32_t fuse_start = 0, fuse_end = 0;
  for (uint32_t end = len; end > 0;) {
    if (from[end] < 0) break; /* unreachable: every character boundary gets a node */
    uint32_t start = (uint32_t)from[end];
    if (u->has_unk && node_id[end] == u->unk_id) {
      if (!fusing) fuse_end = end;
      fusing = 1;
      fuse_start = start;
    } else {
      if (fusing) u->spans[n++] = (ug_span){fuse_start, fuse_end, TT_NO_ID};
      fusing = 0;
      u->spans[n++] = (ug_span){start, end, node_id[end]};
    }
    end = start;
  }
  if (fusing) u->spans[n++] = (ug_span){fuse_start, fuse_end, TT_NO_ID};

  size_t base_n = out->n;
  for (size_t i = n; i-- > 0;) {
    const ug_span *sp = &u->spans[i];
    tetra_status st = sp->id == TT_NO_ID ? emit_unknown(m, u, text, sp, out, err)
                                         : tt_tokens_push(out, sp->id, sp->start, sp->end, err);
    if (st != TETRA_OK) {
      out->n = base_n;
      return st;
    }
  }
  return TETRA_OK;
}
