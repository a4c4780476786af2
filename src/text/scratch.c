/* Per-call scratch memory of a tokenizer: the pipeline allocates a normalized string, its
 * alignments and a token list for every word, so small blocks come from an arena that is reset
 * after the call (no malloc per word), and large blocks (long inputs) from the heap, tracked so
 * that the reset frees them too: a 50 MB input does not leave a 50 MB arena chunk behind.
 *
 * Every block has a 16-byte header whose last word says where it came from; heap blocks carry a
 * second 16+ bytes with their list links. */
#include <string.h>

#include "text/tokenizer_impl.h"

#define SMALL_MAX (16u * 1024u)
#define TAG_ARENA 0x61726e61u
#define TAG_HEAP 0x68656170u
/* Keep at most this much arena between calls; more is given back to the heap. */
#define KEEP_ARENA (4u * 1024u * 1024u)

struct tt_scratch_big {
  tt_scratch_big *prev, *next;
};

typedef struct big_header {
  tt_scratch_big link; /* two pointers: 16 bytes natively, 8 in wasm32 */
  size_t pad_;
  size_t tag; /* the word just before the user pointer */
} big_header;

typedef struct small_header {
  size_t pad_[16 / sizeof(size_t) - 1];
  size_t tag;
} small_header;

_Static_assert(sizeof(small_header) == 16, "small header keeps 16-byte alignment");
_Static_assert(sizeof(big_header) % 16 == 0, "big header keeps 16-byte alignment");

static void *scratch_alloc_cb(void *user, size_t size) {
  return tt_scratch_alloc((tt_scratch *)user, size);
}

static void scratch_free_cb(void *user, void *ptr) {
  tt_scratch *s = user;
  size_t tag;
  memcpy(&tag, (char *)ptr - sizeof(size_t), sizeof tag);
  if (tag != TAG_HEAP) return; /* arena blocks go with the reset */
  big_header *h = (big_header *)((char *)ptr - sizeof(big_header));
  tt_scratch_big *l = &h->link;
  if (l->prev) l->prev->next = l->next;
  else s->big = l->next;
  if (l->next) l->next->prev = l->prev;
  tetra_free(s->heap, h);
}

void tt_scratch_init(tt_scratch *s, const tetra_allocator *heap) {
  s->heap = heap ? heap : tetra_allocator_default();
  tetra_arena_init(&s->arena, s->heap, 64u * 1024u);
  s->big = NULL;
  s->alloc.alloc = scratch_alloc_cb;
  s->alloc.free = scratch_free_cb;
  s->alloc.user = s;
}

void *tt_scratch_alloc(tt_scratch *s, size_t size) {
  if (size <= SMALL_MAX) {
    small_header *h = tetra_arena_alloc(&s->arena, sizeof(small_header) + size);
    if (!h) return NULL;
    h->tag = TAG_ARENA;
    return h + 1;
  }
  if (size > SIZE_MAX - sizeof(big_header)) return NULL;
  big_header *h = tetra_alloc(s->heap, sizeof(big_header) + size);
  if (!h) return NULL;
  h->tag = TAG_HEAP;
  h->link.prev = NULL;
  h->link.next = s->big;
  if (s->big) s->big->prev = &h->link;
  s->big = &h->link;
  return h + 1;
}

void tt_scratch_reset(tt_scratch *s) {
  while (s->big) {
    tt_scratch_big *l = s->big;
    s->big = l->next;
    tetra_free(s->heap, (big_header *)l); /* link is the header's first member */
  }
  if (s->arena.used > KEEP_ARENA) tetra_arena_release(&s->arena);
  else tetra_arena_reset(&s->arena);
}

void tt_scratch_release(tt_scratch *s) {
  tt_scratch_reset(s);
  tetra_arena_release(&s->arena);
}
