/* Added tokens (HF tokenizers/src/tokenizer/added_vocabulary.rs).
 *
 * Loading follows HF's deserializer, which re-adds every token rather than trusting the "id" in the
 * file: a token whose content is already known (an earlier added token or the model vocabulary)
 * gets that id, a new one gets the next free id after the model's vocabulary. Special tokens are
 * listed first in the matching sets, then the others, and the set is split by `normalized`:
 * non-normalized tokens are found in the raw input, normalized ones in the normalized text (their
 * content normalized by the tokenizer's normalizer first).
 *
 * Matching is leftmost-longest over bytes, non-overlapping (aho-corasick's find_iter): a match
 * dropped for single_word does not let a later match start inside it, and lstrip/rstrip widen the
 * match over white space without moving where the next search starts. */
#include <stdio.h>
#include <string.h>

#include "text/json_fields.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

static tetra_status oom(tetra_error *err, const char *what) {
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: out of memory for %s", what);
}

/* ---- trie ------------------------------------------------------------------------------------- */

static tetra_status trie_init(tt_trie *t, const tetra_allocator *a, tetra_error *err) {
  memset(t, 0, sizeof *t);
  t->nodes = tetra_alloc(a, 16 * sizeof(tt_trie_node));
  if (!t->nodes) return oom(err, "added tokens");
  t->cap = 16;
  t->n = 1;
  t->nodes[0].child = t->nodes[0].sibling = 0;
  t->nodes[0].id = -1;
  t->empty = 1;
  return TETRA_OK;
}

static void trie_free(tt_trie *t, const tetra_allocator *a) {
  tetra_free(a, t->nodes);
  t->nodes = NULL;
}

static tetra_status trie_insert(tt_trie *t, const tetra_allocator *a, const char *s, size_t len,
                                uint32_t id, tetra_error *err) {
  if (!len) return TETRA_OK; /* an empty pattern would match everywhere; HF never adds one */
  uint32_t node = 0;
  for (size_t i = 0; i < len; i++) {
    uint8_t b = (uint8_t)s[i];
    uint32_t c = t->nodes[node].child;
    while (c && t->nodes[c].byte != b) c = t->nodes[c].sibling;
    if (!c) {
      if (t->n == t->cap) {
        tt_trie_node *nn = tetra_alloc(a, 2 * t->cap * sizeof(tt_trie_node));
        if (!nn) return oom(err, "added tokens");
        memcpy(nn, t->nodes, t->n * sizeof(tt_trie_node));
        tetra_free(a, t->nodes);
        t->nodes = nn;
        t->cap *= 2;
      }
      c = t->n++;
      t->nodes[c].byte = b;
      t->nodes[c].child = 0;
      t->nodes[c].id = -1;
      t->nodes[c].sibling = t->nodes[node].child;
      t->nodes[node].child = c;
      if (node == 0) t->root_next[b] = c;
    }
    node = c;
  }
  /* equal patterns: the first one added is the one reported */
  if (t->nodes[node].id < 0) t->nodes[node].id = (int32_t)id;
  t->empty = 0;
  return TETRA_OK;
}

/* Longest pattern starting at text[pos]: its id and end, or -1. */
static int64_t trie_longest(const tt_trie *t, const char *text, uint32_t len, uint32_t pos,
                            uint32_t *end) {
  uint32_t node = t->root_next[(uint8_t)text[pos]];
  int64_t best = -1;
  uint32_t i = pos + 1;
  while (node) {
    if (t->nodes[node].id >= 0) {
      best = t->nodes[node].id;
      *end = i;
    }
    if (i >= len) break;
    uint8_t b = (uint8_t)text[i];
    uint32_t c = t->nodes[node].child;
    while (c && t->nodes[c].byte != b) c = t->nodes[c].sibling;
    node = c;
    i++;
  }
  return best;
}

/* ---- lookups ---------------------------------------------------------------------------------- */

const tt_added_token *tt_added_by_id(const tt_added_vocab *av, uint32_t id) {
  size_t lo = 0, hi = av->n_defs;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    uint32_t mid_id = av->defs[av->by_id[mid]].id;
    if (mid_id == id) return &av->defs[av->by_id[mid]];
    if (mid_id < id) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* ---- matching --------------------------------------------------------------------------------- */

static uint32_t decode_at(const char *s, uint32_t len, uint32_t pos) {
  size_t used;
  return tt_utf8_decode(s + pos, len - pos, &used);
}

/* The code point that ends at pos (pos > 0). */
static uint32_t decode_before(const char *s, uint32_t pos, uint32_t *start) {
  uint32_t p = pos - 1;
  while (p > 0 && ((uint8_t)s[p] & 0xC0) == 0x80) p--;
  if (start) *start = p;
  size_t used;
  return tt_utf8_decode(s + p, pos - p, &used);
}

static tetra_status push_piece(tt_scratch *s, tt_added_piece **v, size_t *n, size_t *cap,
                               int64_t id, uint32_t start, uint32_t end, tetra_error *err) {
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 8;
    tt_added_piece *nv = tt_scratch_alloc(s, c * sizeof(tt_added_piece));
    if (!nv) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
    if (*n) memcpy(nv, *v, *n * sizeof(tt_added_piece));
    *v = nv;
    *cap = c;
  }
  (*v)[*n].id = id;
  (*v)[*n].start = start;
  (*v)[*n].end = end;
  (*n)++;
  return TETRA_OK;
}

tetra_status tt_added_find(const tt_added_vocab *av, const tt_trie *trie, const char *text,
                           uint32_t len, tt_scratch *s, tt_added_piece **out, size_t *n,
                           tetra_error *err) {
  tt_added_piece *v = NULL;
  size_t cnt = 0, cap = 0;
  uint32_t start_offset = 0, pos = 0;
  tetra_status st;
  while (pos < len && !trie->empty) {
    /* leftmost: the first position where some pattern matches; longest there */
    uint32_t mend = 0;
    int64_t id = -1;
    for (; pos < len; pos++) {
      if (!trie->root_next[(uint8_t)text[pos]]) continue;
      id = trie_longest(trie, text, len, pos, &mend);
      if (id >= 0) break;
    }
    if (id < 0) break;
    uint32_t start = pos, stop = mend;
    pos = mend; /* the next search starts after this match, whatever happens to it */
    const tt_added_token *def = tt_added_by_id(av, (uint32_t)id);
    if (!def) continue;
    if (def->single_word) {
      int start_space = start == 0 || !tt_is_word_char(decode_before(text, start, NULL));
      int stop_space = stop == len || !tt_is_word_char(decode_at(text, len, stop));
      if (!start_space || !stop_space) continue;
    }
    if (def->lstrip) {
      uint32_t ns = start;
      while (ns > 0) {
        uint32_t cs;
        uint32_t cp = decode_before(text, ns, &cs);
        if (!tt_uc_is_white_space(cp)) break;
        ns = cs;
      }
      start = ns > start_offset ? ns : start_offset;
    }
    if (def->rstrip) {
      while (stop < len) {
        size_t used;
        uint32_t cp = tt_utf8_decode(text + stop, len - stop, &used);
        if (!tt_uc_is_white_space(cp)) break;
        stop += (uint32_t)used;
      }
    }
    if (start_offset < start) {
      if ((st = push_piece(s, &v, &cnt, &cap, -1, start_offset, start, err))) return st;
    }
    if ((st = push_piece(s, &v, &cnt, &cap, id, start, stop, err))) return st;
    start_offset = stop;
  }
  if (start_offset != len) {
    /* (HF compares with !=: an rstrip past... cannot happen, stop never exceeds len) */
    if ((st = push_piece(s, &v, &cnt, &cap, -1, start_offset, len, err))) return st;
  }
  *out = v;
  *n = cnt;
  return TETRA_OK;
}

/* ---- loading ---------------------------------------------------------------------------------- */

static int same_def(const tt_added_token *a, const tt_added_token *b) {
  return a->len == b->len && !memcmp(a->content, b->content, a->len) &&
         a->single_word == b->single_word && a->lstrip == b->lstrip && a->rstrip == b->rstrip &&
         a->normalized == b->normalized && a->special == b->special;
}

static tetra_status bool_field(const tetra_json *obj, const char *key, int dflt, size_t index,
                               uint8_t *out, tetra_error *err) {
  const tetra_json *v = tetra_json_get(obj, key);
  int b;
  int ok = tt_jv_bool(v, dflt, &b);
  *out = (uint8_t)b;
  if (ok) return TETRA_OK;
  return tetra_error_set(err, TETRA_ERR_FORMAT,
                         "tokenizer.json: added_tokens[%zu].%s: should be a boolean, not %s", index,
                         key, tt_json_type_of(v));
}

static void sort_by_id(tt_added_vocab *av) {
  /* insertion sort on an almost sorted list (files list added tokens by id) */
  for (size_t i = 1; i < av->n_defs; i++) {
    uint32_t k = av->by_id[i];
    size_t j = i;
    while (j > 0 && av->defs[av->by_id[j - 1]].id > av->defs[k].id) {
      av->by_id[j] = av->by_id[j - 1];
      j--;
    }
    av->by_id[j] = k;
  }
}

/* The normalized form of a token's content, for the normalized matching set. */
static tetra_status normalized_content(struct tetra_tokenizer *tok, const tt_added_token *t,
                                       tt_nstr *ns, tetra_error *err) {
  tetra_status st = tt_nstr_init(ns, tok->alloc, t->content, t->len, 0, err);
  if (st) return st;
  if (tok->normalizer) {
    st = tt_normalizer_apply(tok->normalizer, ns, err);
    if (st) {
      tt_nstr_free(ns);
      return st;
    }
  }
  return TETRA_OK;
}

tetra_status tt_added_load(struct tetra_tokenizer *tok, const tetra_json *arr, tetra_error *err) {
  tt_added_vocab *av = &tok->added;
  const tetra_allocator *a = tok->alloc;
  tetra_status st;
  size_t n = 0;
  if (arr && arr->type != TETRA_JSON_NULL) {
    if (arr->type != TETRA_JSON_ARRAY) {
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.json: added_tokens: should be an array, not %s",
                             tt_json_type_of(arr));
    }
    n = arr->len;
  }
  if ((st = tt_strmap_init(&av->content_to_id, a, n + 1, err))) return st;
  if ((st = tt_strmap_init(&av->special_set, a, n + 1, err))) return st;
  if ((st = trie_init(&av->raw, a, err))) return st;
  if ((st = trie_init(&av->norm, a, err))) return st;
  av->alloc = a;
  if (!n) return TETRA_OK;

  /* the file's tokens, parsed */
  tt_added_token *list = tetra_alloc(a, n * sizeof(tt_added_token));
  /* HF's two ordered lists: special tokens, then the others (indices into list) */
  size_t *order = tetra_alloc(a, 2 * n * sizeof(size_t));
  av->defs = tetra_alloc(a, n * sizeof(tt_added_token));
  av->by_id = tetra_alloc(a, n * sizeof(uint32_t));
  if (!list || !order || !av->defs || !av->by_id) {
    tetra_free(a, list);
    tetra_free(a, order);
    return oom(err, "added tokens");
  }
  memset(av->defs, 0, n * sizeof(tt_added_token));
  av->cap_defs = n;
  size_t n_special = 0, n_plain = 0;
  size_t *special_order = order, *plain_order = order + n;
  uint32_t model_size = tt_model_vocab_size(tok->model);

  for (size_t i = 0; i < n; i++) {
    const tetra_json *t = &arr->u.items[i];
    tt_added_token *d = &list[i];
    if (t->type != TETRA_JSON_OBJECT) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: added_tokens[%zu]: should be an object, not %s", i,
                           tt_json_type_of(t));
      goto done;
    }
    const tetra_json *c = tetra_json_get(t, "content");
    if (!c || c->type != TETRA_JSON_STRING) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: added_tokens[%zu].content: %s", i,
                           c ? "should be a string" : "missing");
      goto done;
    }
    const tetra_json *id = tetra_json_get(t, "id");
    if (id && !(id->type == TETRA_JSON_NUMBER && (id->flags & TETRA_JSON_INTEGER) &&
                id->u.number >= 0 && id->u.number <= (double)UINT32_MAX)) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: added_tokens[%zu].id: should be an unsigned integer", i);
      goto done;
    }
    d->content = (char *)c->u.string;
    d->len = c->len;
    if ((st = bool_field(t, "special", 0, i, &d->special, err))) goto done;
    if ((st = bool_field(t, "single_word", 0, i, &d->single_word, err))) goto done;
    if ((st = bool_field(t, "lstrip", 0, i, &d->lstrip, err))) goto done;
    if ((st = bool_field(t, "rstrip", 0, i, &d->rstrip, err))) goto done;
    if ((st = bool_field(t, "normalized", !d->special, i, &d->normalized, err))) goto done;
  }

  /* 1. the special tokens, in order of first appearance */
  for (size_t i = 0; i < n; i++) {
    uint32_t dummy;
    if (list[i].special && list[i].len &&
        !tt_strmap_get(&av->special_set, list[i].content, list[i].len, &dummy)) {
      if ((st = tt_strmap_put(&av->special_set, list[i].content, list[i].len, 1, err))) goto done;
      special_order[n_special++] = i;
    }
  }
  /* 2. ids: known content keeps its id, new content takes the next one */
  for (size_t i = 0; i < n; i++) {
    tt_added_token *d = &list[i];
    if (!d->len) continue;
    int dup = 0;
    for (size_t k = 0; k < av->n_defs && !dup; k++) dup = same_def(&av->defs[k], d);
    if (dup) continue;
    uint32_t new_id;
    if (!tt_strmap_get(&av->content_to_id, d->content, d->len, &new_id) &&
        !tt_model_token_to_id(tok->model, d->content, d->len, &new_id)) {
      if (!av->n_defs) {
        new_id = model_size;
      } else {
        uint32_t max = 0;
        for (size_t k = 0; k < av->n_defs; k++) {
          if (av->defs[k].id > max) max = av->defs[k].id;
        }
        /* HF takes the max over its content map; the defs hold the same ids */
        new_id = (max >= model_size || model_size == 0) ? max + 1 : model_size;
      }
    }
    if ((st = tt_strmap_put(&av->content_to_id, d->content, d->len, new_id, err))) goto done;
    size_t k = 0;
    while (k < av->n_defs && av->defs[k].id != new_id) k++;
    if (k == av->n_defs) {
      av->by_id[av->n_defs] = (uint32_t)k;
      av->n_defs++;
    } else {
      tetra_free(a, av->defs[k].content);
    }
    av->defs[k] = *d;
    av->defs[k].id = new_id;
    av->defs[k].content = tetra_alloc(a, d->len + 1);
    if (!av->defs[k].content) {
      st = oom(err, "added tokens");
      goto done;
    }
    memcpy(av->defs[k].content, d->content, d->len);
    av->defs[k].content[d->len] = 0;
    if (new_id + 1 > av->max_id_plus_one) av->max_id_plus_one = new_id + 1;
    uint32_t dummy;
    if (!tt_strmap_get(&av->special_set, d->content, d->len, &dummy)) plain_order[n_plain++] = i;
  }
  sort_by_id(av);

  /* 3. the matching sets: specials then the others, split by `normalized` */
  for (size_t pass = 0; pass < 2; pass++) {
    size_t cnt = pass ? n_plain : n_special;
    const size_t *ord = pass ? plain_order : special_order;
    for (size_t k = 0; k < cnt; k++) {
      const tt_added_token *d = &list[ord[k]];
      uint32_t id;
      if (!tt_strmap_get(&av->content_to_id, d->content, d->len, &id)) continue;
      if (!d->normalized) {
        if ((st = trie_insert(&av->raw, a, d->content, d->len, id, err))) goto done;
      } else {
        tt_nstr ns;
        if ((st = normalized_content(tok, d, &ns, err))) {
          tetra_error_prefix(err, "tokenizer.json: added_tokens[%zu]: normalizing the content",
                             ord[k]);
          goto done;
        }
        st = trie_insert(&av->norm, a, ns.text, ns.len, id, err);
        tt_nstr_free(&ns);
        if (st) goto done;
      }
    }
  }
  st = TETRA_OK;
done:
  tetra_free(a, list);
  tetra_free(a, order);
  return st;
}

void tt_added_free(tt_added_vocab *av) {
  const tetra_allocator *a = av->alloc;
  if (!a) return;
  for (size_t i = 0; i < av->n_defs; i++) tetra_free(a, av->defs[i].content);
  tetra_free(a, av->defs);
  tetra_free(a, av->by_id);
  tt_strmap_free(&av->content_to_id);
  tt_strmap_free(&av->special_set);
  trie_free(&av->raw, a);
  trie_free(&av->norm, a);
  memset(av, 0, sizeof *av);
}
