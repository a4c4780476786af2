/* The models' common vocabulary (token <-> id) and the byte trie used for longest-match
 * (WordPiece) and common-prefix (Unigram) searches. */
#include <stdio.h>
#include <string.h>

#include "text/model_impl.h"

/* ---- vocabulary ------------------------------------------------------------------------------ */
static tetra_status vocab_tables(tt_vocab *v, uint32_t n_ids, size_t text_bytes,
                                 const tetra_allocator *a, tetra_error *err) {
  v->n_ids = n_ids;
  size_t n = n_ids ? n_ids : 1;
  v->tok_off = tetra_alloc(a, n * sizeof *v->tok_off);
  v->tok_len = tetra_alloc(a, n * sizeof *v->tok_len);
  v->text = tetra_alloc(a, text_bytes ? text_bytes : 1);
  if (!v->tok_off || !v->tok_len || !v->text)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "tokenizer.json: vocabulary: out of memory");
  for (uint32_t i = 0; i < n_ids; i++) {
    v->tok_off[i] = UINT32_MAX;
    v->tok_len[i] = 0;
  }
  return TETRA_OK;
}

tetra_status tt_vocab_from_object(tt_vocab *v, const tetra_json *obj, const char *path,
                                  const tetra_allocator *a, tetra_error *err) {
  memset(v, 0, sizeof *v);
  if (!obj || obj->type != TETRA_JSON_OBJECT)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s: expected an object of token: id, found %s", path,
                           obj ? tt_json_type_of(obj) : "nothing");
  uint32_t max_id = 0;
  size_t text_bytes = 0;
  for (uint32_t i = 0; i < obj->len; i++) {
    const tetra_json *k = &obj->u.items[2 * i], *val = &obj->u.items[2 * i + 1];
    if (val->type != TETRA_JSON_NUMBER || !(val->flags & TETRA_JSON_INTEGER) || val->u.number < 0 ||
        val->u.number > 4294967295.0)
      return tetra_error_set(
          err, TETRA_ERR_FORMAT,
          "tokenizer.json: %s[\"%.60s\"]: the id must be an integer from 0 to 4294967295", path,
          k->u.string);
    if (val->u.number >= TT_MAX_VOCAB_ID)
      return tetra_error_set(err, TETRA_ERR_LIMIT,
                             "tokenizer.json: %s[\"%.60s\"]: id %.0f is beyond tetra's limit of %u",
                             path, k->u.string, val->u.number, TT_MAX_VOCAB_ID - 1);
    uint32_t id = (uint32_t)val->u.number;
    if (id > max_id) max_id = id;
    text_bytes += k->len;
  }
  if (text_bytes >= UINT32_MAX)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer.json: %s: more than 4 GB of tokens",
                           path);
  tetra_status st = tt_strmap_init(&v->map, a, obj->len, err);
  if (st == TETRA_OK) st = vocab_tables(v, obj->len ? max_id + 1 : 0, text_bytes, a, err);
  size_t used = 0;
  for (uint32_t i = 0; st == TETRA_OK && i < obj->len; i++) {
    const tetra_json *k = &obj->u.items[2 * i];
    uint32_t id = (uint32_t)obj->u.items[2 * i + 1].u.number;
    st = tt_strmap_put(&v->map, k->u.string, k->len, id, err);
    if (st == TETRA_OK && v->tok_off[id] == UINT32_MAX) {
      memcpy(v->text + used, k->u.string, k->len);
      v->tok_off[id] = (uint32_t)used;
      v->tok_len[id] = k->len;
      used += k->len;
    }
  }
  if (st != TETRA_OK) {
    tt_vocab_free(v, a);
    return st;
  }
  v->size = obj->len;
  return TETRA_OK;
}

tetra_status tt_vocab_from_field(tt_vocab *v, const tetra_json *model, const char *path,
                                 const tetra_allocator *a, tetra_error *err) {
  const tetra_json *vocab = tetra_json_get(model, "vocab");
  if (!vocab) {
    memset(v, 0, sizeof *v);
    return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s: missing field \"vocab\"",
                           path);
  }
  char vpath[256];
  snprintf(vpath, sizeof vpath, "%.240s.vocab", path);
  return tt_vocab_from_object(v, vocab, vpath, a, err);
}

tetra_status tt_vocab_from_list(tt_vocab *v, const char *const *strs, const uint32_t *lens,
                                uint32_t n, const tetra_allocator *a, tetra_error *err) {
  memset(v, 0, sizeof *v);
  size_t text_bytes = 0;
  for (uint32_t i = 0; i < n; i++) text_bytes += lens[i];
  if (n >= TT_MAX_VOCAB_ID || text_bytes >= UINT32_MAX)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "tokenizer.json: vocabulary beyond tetra's limits");
  tetra_status st = tt_strmap_init(&v->map, a, n, err);
  if (st == TETRA_OK) st = vocab_tables(v, n, text_bytes, a, err);
  size_t used = 0;
  for (uint32_t i = 0; st == TETRA_OK && i < n; i++) {
    st = tt_strmap_put(&v->map, strs[i], lens[i], i, err);
    if (lens[i]) memcpy(v->text + used, strs[i], lens[i]);
    v->tok_off[i] = (uint32_t)used;
    v->tok_len[i] = lens[i];
    used += lens[i];
  }
  if (st != TETRA_OK) {
    tt_vocab_free(v, a);
    return st;
  }
  v->size = n;
  return TETRA_OK;
}

void tt_vocab_free(tt_vocab *v, const tetra_allocator *a) {
  tt_strmap_free(&v->map);
  tetra_free(a, v->tok_off);
  tetra_free(a, v->tok_len);
  tetra_free(a, v->text);
  v->tok_off = v->tok_len = NULL;
  v->text = NULL;
  v->n_ids = v->size = 0;
}

const char *tt_vocab_token(const tt_vocab *v, uint32_t id, size_t *len) {
  if (id >= v->n_ids || v->tok_off[id] == UINT32_MAX) return NULL;
  if (len) *len = v->tok_len[id];
  return v->text + v->tok_off[id];
}

/* ---- byte trie ------------------------------------------------------------------------------- */
tetra_status tt_vtrie_init(tt_vtrie *t, const tetra_allocator *a, tetra_error *err) {
  memset(t, 0, sizeof *t);
  t->cap_nodes = 1024;
  t->value = tetra_alloc(a, t->cap_nodes * sizeof *t->value);
  t->edge_mask = 1023;
  t->edges = tetra_alloc(a, (t->edge_mask + 1) * sizeof *t->edges);
  if (!t->value || !t->edges) {
    tt_vtrie_free(t, a);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: trie: out of memory");
  }
  for (uint32_t i = 0; i <= t->edge_mask; i++) t->edges[i].key = UINT32_MAX;
  t->n_nodes = 1;
  t->value[0] = TT_NO_ID;
  return TETRA_OK;
}

void tt_vtrie_free(tt_vtrie *t, const tetra_allocator *a) {
  tetra_free(a, t->value);
  tetra_free(a, t->edges);
  t->value = NULL;
  t->edges = NULL;
  t->n_nodes = t->cap_nodes = t->n_edges = 0;
}

static void edge_put(tt_vtrie_edge *edges, uint32_t mask, uint32_t key, uint32_t child) {
  uint32_t h = key * 0x9E3779B1u;
  uint32_t i = (h ^ h >> 15) & mask;
  while (edges[i].key != UINT32_MAX) i = (i + 1) & mask;
  edges[i].key = key;
  edges[i].child = child;
}

static tetra_status new_node(tt_vtrie *t, const tetra_allocator *a, uint32_t *out,
                             tetra_error *err) {
  /* node * 256 + 255 must stay below UINT32_MAX, the empty-edge marker */
  if (t->n_nodes >= (1u << 24) - 1)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "tokenizer.json: vocabulary too large for the trie");
  if (t->n_nodes == t->cap_nodes) {
    uint32_t cap = t->cap_nodes * 2;
    uint32_t *v = tetra_alloc(a, (size_t)cap * sizeof *v);
    if (!v)
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: trie: out of memory");
    memcpy(v, t->value, (size_t)t->n_nodes * sizeof *v);
    tetra_free(a, t->value);
    t->value = v;
    t->cap_nodes = cap;
  }
  t->value[t->n_nodes] = TT_NO_ID;
  *out = t->n_nodes++;
  return TETRA_OK;
}

static tetra_status add_edge(tt_vtrie *t, const tetra_allocator *a, uint32_t node, unsigned char b,
                             uint32_t child, tetra_error *err) {
  if (node == 0) {
    t->root[b] = child;
    return TETRA_OK;
  }
  if ((t->n_edges + 1) * 2 > t->edge_mask + 1) {
    uint32_t mask = t->edge_mask * 2 + 1;
    tt_vtrie_edge *e = tetra_alloc(a, ((size_t)mask + 1) * sizeof *e);
    if (!e)
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.json: trie: out of memory");
    for (uint32_t i = 0; i <= mask; i++) e[i].key = UINT32_MAX;
    for (uint32_t i = 0; i <= t->edge_mask; i++)
      if (t->edges[i].key != UINT32_MAX) edge_put(e, mask, t->edges[i].key, t->edges[i].child);
    tetra_free(a, t->edges);
    t->edges = e;
    t->edge_mask = mask;
  }
  edge_put(t->edges, t->edge_mask, node * 256u + b, child);
  t->n_edges++;
  return TETRA_OK;
}

tetra_status tt_vtrie_insert(tt_vtrie *t, const tetra_allocator *a, const char *key, size_t len,
                             uint32_t value, tetra_error *err) {
  if (len == 0) return TETRA_OK;
  uint32_t node = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char b = (unsigned char)key[i];
    uint32_t child = tt_vtrie_step(t, node, b);
    if (!child) {
      tetra_status st = new_node(t, a, &child, err);
      if (st == TETRA_OK) st = add_edge(t, a, node, b, child, err);
      if (st != TETRA_OK) return st;
    }
    node = child;
  }
  t->value[node] = value;
  return TETRA_OK;
}
