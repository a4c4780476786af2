/* Internals shared by the four tokenizer models (WordPiece, BPE, Unigram, WordLevel): the common
 * vocabulary (token -> id map and id -> token table), a byte trie for longest-match and
 * common-prefix searches, JSON field helpers with path-naming errors, and the per-model entry
 * points that model.c dispatches to. Not part of any other component's interface. */
#ifndef TETRA_TEXT_MODEL_IMPL_H
#define TETRA_TEXT_MODEL_IMPL_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/components.h"
#include "text/json_fields.h"

#define TT_NO_ID UINT32_MAX
/* Vocabulary ids must stay below this: the id -> token table is a dense array. Real vocabularies
 * are far smaller (~256k at most); a sparse id of four billion would otherwise cost 32 GB. */
#define TT_MAX_VOCAB_ID (1u << 24)

/* A 32-bit hash of bytes (8 bytes at a time, multiply-xorshift mixing). The same value on every
 * platform, though nothing depends on that. */
uint32_t tt_hash_bytes(const void *data, size_t len);

/* ---- vocabulary ------------------------------------------------------------------------------ */
typedef struct tt_vocab {
  tt_strmap map;     /* token -> id (for duplicate tokens, the last one wins, as HF's HashMap) */
  uint32_t n_ids;    /* max id + 1 (ids may have holes) */
  uint32_t size;     /* HF get_vocab_size: entries of the map (Unigram: of the piece list) */
  uint32_t *tok_off; /* n_ids offsets into text, or UINT32_MAX for a hole */
  uint32_t *tok_len;
  char *text; /* the id -> token strings, one block */
} tt_vocab;

/* Loads a {"token": id, ...} object (path names it in errors, e.g. "model.vocab"). When the same id
 * appears twice, id_to_token gives the first token in document order. */
tetra_status tt_vocab_from_object(tt_vocab *v, const tetra_json *obj, const char *path,
                                  const tetra_allocator *a, tetra_error *err);
/* The required "vocab" field of a model object (path names the model, e.g. "model"). */
tetra_status tt_vocab_from_field(tt_vocab *v, const tetra_json *model, const char *path,
                                 const tetra_allocator *a, tetra_error *err);
/* Builds a vocabulary from n strings whose ids are their positions (Unigram pieces). */
tetra_status tt_vocab_from_list(tt_vocab *v, const char *const *strs, const uint32_t *lens,
                                uint32_t n, const tetra_allocator *a, tetra_error *err);
void tt_vocab_free(tt_vocab *v, const tetra_allocator *a);
static inline int tt_vocab_get(const tt_vocab *v, const char *s, size_t len, uint32_t *id) {
  return tt_strmap_get(&v->map, s, len, id);
}
const char *tt_vocab_token(const tt_vocab *v, uint32_t id, size_t *len);

/* ---- byte trie ------------------------------------------------------------------------------- */
/* Nodes are numbered from 0 (the root); the edges live in one open-addressing table keyed by
 * (node, byte), and the root's 256 edges in a direct array, since every walk starts there. */
typedef struct tt_vtrie_edge {
  uint32_t key; /* node * 256 + byte, UINT32_MAX when empty */
  uint32_t child;
} tt_vtrie_edge;
typedef struct tt_vtrie {
  uint32_t root[256]; /* child of the root per byte, 0 when none (the root is never a child) */
  tt_vtrie_edge *edges;
  uint32_t edge_mask, n_edges;
  uint32_t *value; /* per node: the id stored there, or TT_NO_ID */
  uint32_t n_nodes, cap_nodes;
} tt_vtrie;

tetra_status tt_vtrie_init(tt_vtrie *t, const tetra_allocator *a, tetra_error *err);
void tt_vtrie_free(tt_vtrie *t, const tetra_allocator *a);
/* Inserts key -> value (overwriting). Empty keys are ignored (no search ever reports them). */
tetra_status tt_vtrie_insert(tt_vtrie *t, const tetra_allocator *a, const char *key, size_t len,
                             uint32_t value, tetra_error *err);
static inline uint32_t tt_vtrie_step(const tt_vtrie *t, uint32_t node, unsigned char byte) {
  if (node == 0) return t->root[byte];
  uint32_t key = node * 256u + byte;
  uint32_t h = key * 0x9E3779B1u;
  uint32_t i = (h ^ h >> 15) & t->edge_mask;
  for (;;) {
    const tt_vtrie_edge *e = &t->edges[i];
    if (e->key == key) return e->child;
    if (e->key == UINT32_MAX) return 0;
    i = (i + 1) & t->edge_mask;
  }
}

/* ---- the models ------------------------------------------------------------------------------ */
typedef enum tt_model_kind {
  TT_MODEL_WORDPIECE,
  TT_MODEL_BPE,
  TT_MODEL_UNIGRAM,
  TT_MODEL_WORDLEVEL
} tt_model_kind;

typedef struct tt_wordpiece tt_wordpiece;
typedef struct tt_bpe tt_bpe;
typedef struct tt_unigram tt_unigram;
typedef struct tt_wordlevel tt_wordlevel;

struct tt_model {
  tt_model_kind kind;
  const tetra_allocator *alloc;
  tt_vocab vocab;
  void *impl; /* the tt_wordpiece / tt_bpe / tt_unigram / tt_wordlevel */
};

/* Each loader fills m->vocab and m->impl; on failure it frees what it made (m->impl stays NULL). */
tetra_status tt_wordpiece_load(tt_model *m, const tetra_json *j, const char *path,
                               tetra_error *err);
void tt_wordpiece_free(tt_model *m);
tetra_status tt_wordpiece_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                                   tetra_error *err);

tetra_status tt_bpe_load(tt_model *m, const tetra_json *j, const char *path, tetra_error *err);
void tt_bpe_free(tt_model *m);
tetra_status tt_bpe_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                             tetra_error *err);

tetra_status tt_unigram_load(tt_model *m, const tetra_json *j, const char *path, tetra_error *err);
void tt_unigram_free(tt_model *m);
tetra_status tt_unigram_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                                 tetra_error *err);

tetra_status tt_wordlevel_load(tt_model *m, const tetra_json *j, const char *path,
                               tetra_error *err);
void tt_wordlevel_free(tt_model *m);
tetra_status tt_wordlevel_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                                   tetra_error *err);

#endif
