/* The string -> id hash map behind vocabularies and added tokens: open addressing with linear
 * probing at a load factor of at most 1/2, every key's bytes in one growing block. A slot keeps the
 * full 32-bit hash so that a probe compares bytes only when the hashes already agree. */
#include <string.h>

#include "text/components.h"
#include "text/model_impl.h"

struct tt_strmap_entry {
  uint32_t hash;
  uint32_t key_off; /* UINT32_MAX: empty slot */
  uint32_t key_len;
  uint32_t value;
};

static inline uint64_t read64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

uint32_t tt_hash_bytes(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len;
  while (len >= 8) {
    h = (h ^ read64(p)) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    p += 8;
    len -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < len; i++) tail |= (uint64_t)p[i] << (8 * i);
  h = (h ^ tail) * 0x94D049BB133111EBull;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return (uint32_t)h;
}

static tt_strmap_entry *alloc_slots(const tetra_allocator *a, size_t n) {
  if (n > SIZE_MAX / sizeof(tt_strmap_entry)) return NULL;
  tt_strmap_entry *s = tetra_alloc(a, n * sizeof *s);
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++) s[i].key_off = UINT32_MAX;
  return s;
}

tetra_status tt_strmap_init(tt_strmap *m, const tetra_allocator *a, size_t expected,
                            tetra_error *err) {
  memset(m, 0, sizeof *m);
  m->alloc = a;
  size_t n = 16;
  while (n < expected * 2 && n < ((size_t)1 << 31)) n *= 2;
  m->slots = alloc_slots(a, n);
  if (!m->slots) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "string map: out of memory");
  m->n_slots = n;
  return TETRA_OK;
}

void tt_strmap_free(tt_strmap *m) {
  if (!m) return;
  tetra_free(m->alloc, m->slots);
  tetra_free(m->alloc, m->keys);
  m->slots = NULL;
  m->keys = NULL;
  m->n_slots = m->count = m->keys_len = m->keys_cap = 0;
}

/* Keys are short (vocabulary tokens, words): a loop beats a call to memcmp, in wasm above all. */
static inline int same_bytes(const char *a, const char *b, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Index of the slot holding key, or of the empty slot where it would go. */
static size_t find_slot(const tt_strmap *m, const char *key, size_t len, uint32_t h) {
  size_t mask = m->n_slots - 1;
  size_t i = h & mask;
  for (;;) {
    const tt_strmap_entry *e = &m->slots[i];
    if (e->key_off == UINT32_MAX) return i;
    if (e->hash == h && e->key_len == len && same_bytes(m->keys + e->key_off, key, len))
      return i;
    i = (i + 1) & mask;
  }
}

static tetra_status grow_slots(tt_strmap *m, tetra_error *err) {
  size_t n = m->n_slots * 2;
  tt_strmap_entry *s = alloc_slots(m->alloc, n);
  if (!s) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "string map: out of memory");
  for (size_t i = 0; i < m->n_slots; i++) {
    const tt_strmap_entry *e = &m->slots[i];
    if (e->key_off == UINT32_MAX) continue;
    size_t j = e->hash & (n - 1);
    while (s[j].key_off != UINT32_MAX) j = (j + 1) & (n - 1);
    s[j] = *e;
  }
  tetra_free(m->alloc, m->slots);
  m->slots = s;
  m->n_slots = n;
  return TETRA_OK;
}

tetra_status tt_strmap_put(tt_strmap *m, const char *key, size_t len, uint32_t value,
                           tetra_error *err) {
  if (len >= UINT32_MAX || m->keys_len > (size_t)UINT32_MAX - 1 - len)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "string map: more than 4 GB of keys");
  uint32_t h = tt_hash_bytes(key, len);
  size_t i = find_slot(m, key, len, h);
  if (m->slots[i].key_off != UINT32_MAX) {
    m->slots[i].value = value;
    return TETRA_OK;
  }
  if ((m->count + 1) * 2 > m->n_slots) {
    tetra_status st = grow_slots(m, err);
    if (st != TETRA_OK) return st;
    i = find_slot(m, key, len, h);
  }
  if (m->keys_len + len > m->keys_cap) {
    size_t cap = m->keys_cap ? m->keys_cap : 256;
    while (cap < m->keys_len + len) cap *= 2;
    char *k = tetra_alloc(m->alloc, cap);
    if (!k) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "string map: out of memory");
    if (m->keys_len) memcpy(k, m->keys, m->keys_len);
    tetra_free(m->alloc, m->keys);
    m->keys = k;
    m->keys_cap = cap;
  }
  if (len) memcpy(m->keys + m->keys_len, key, len);
  tt_strmap_entry *e = &m->slots[i];
  e->hash = h;
  e->key_off = (uint32_t)m->keys_len;
  e->key_len = (uint32_t)len;
  e->value = value;
  m->keys_len += len;
  m->count++;
  return TETRA_OK;
}

int tt_strmap_get(const tt_strmap *m, const char *key, size_t len, uint32_t *value) {
  if (!m->slots) return 0;
  const tt_strmap_entry *e = &m->slots[find_slot(m, key, len, tt_hash_bytes(key, len))];
  if (e->key_off == UINT32_MAX) return 0;
  if (value) *value = e->value;
  return 1;
}
