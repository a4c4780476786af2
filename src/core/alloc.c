/* The default allocator and the arena. */
#include "tetra/core.h"

#include <stdlib.h>
#include <string.h>

/* 16-byte alignment is part of the allocator contract (SIMD data, arena chunks); malloc gives only
 * 8 in wasm32, so ask for it explicitly. aligned_alloc needs a size that is a multiple of it. */
static void *default_alloc(void *user, size_t size) {
  (void)user;
  if (size > SIZE_MAX - 15) return NULL;
  return aligned_alloc(16, size ? (size + 15) & ~(size_t)15 : 16);
}

static void default_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

static const tetra_allocator default_allocator = {default_alloc, default_free, NULL};

const tetra_allocator *tetra_allocator_default(void) { return &default_allocator; }

void *tetra_alloc(const tetra_allocator *a, size_t size) {
  if (!a) a = &default_allocator;
  return a->alloc(a->user, size);
}

void tetra_free(const tetra_allocator *a, void *ptr) {
  if (!ptr) return;
  if (!a) a = &default_allocator;
  a->free(a->user, ptr);
}

/* Chunks are singly linked, newest first; the header is padded to 16 bytes so that the first
 * allocation inside a chunk keeps the allocator's 16-byte alignment. */
struct tetra_arena_chunk {
  tetra_arena_chunk *next;
  size_t size;
  size_t used;
  size_t pad_;
};

#define ARENA_ALIGN 16u
#define ARENA_DEFAULT_CHUNK (64u * 1024u)

void tetra_arena_init(tetra_arena *arena, const tetra_allocator *allocator, size_t chunk_size) {
  arena->allocator = allocator ? allocator : &default_allocator;
  arena->head = NULL;
  arena->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
  arena->used = 0;
}

void *tetra_arena_alloc(tetra_arena *arena, size_t size) {
  if (size > SIZE_MAX - ARENA_ALIGN) return NULL;
  size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  tetra_arena_chunk *c = arena->head;
  if (!c || c->size - c->used < need) {
    /* Oversized requests get a chunk of their own so they do not waste a fresh standard chunk. */
    size_t body = need > arena->chunk_size ? need : arena->chunk_size;
    if (body > SIZE_MAX - sizeof(tetra_arena_chunk)) return NULL;
    tetra_arena_chunk *fresh = tetra_alloc(arena->allocator, sizeof(tetra_arena_chunk) + body);
    if (!fresh) return NULL;
    fresh->size = body;
    fresh->used = 0;
    if (c && need > arena->chunk_size) {
      /* keep filling the current chunk: put the big one behind it */
      fresh->next = c->next;
      c->next = fresh;
      c = fresh;
    } else {
      fresh->next = c;
      arena->head = fresh;
      c = fresh;
    }
  }
  void *p = (char *)(c + 1) + c->used;
  c->used += need;
  arena->used += need;
  return p;
}

void tetra_arena_reset(tetra_arena *arena) {
  tetra_arena_chunk *c = arena->head;
  if (c && c->next) {
    /* Several chunks: replace them with one that holds everything the last round needed. */
    size_t total = 0;
    for (tetra_arena_chunk *k = c; k; k = k->next) total += k->size;
    tetra_arena_release(arena);
    tetra_arena_chunk *fresh = tetra_alloc(arena->allocator, sizeof(tetra_arena_chunk) + total);
    if (fresh) { /* if this fails, the arena simply starts empty */
      fresh->next = NULL;
      fresh->size = total;
      fresh->used = 0;
      arena->head = fresh;
    }
    return;
  }
  if (c) c->used = 0;
  arena->used = 0;
}

void tetra_arena_release(tetra_arena *arena) {
  tetra_arena_chunk *c = arena->head;
  while (c) {
    tetra_arena_chunk *next = c->next;
    tetra_free(arena->allocator, c);
    c = next;
  }
  arena->head = NULL;
  arena->used = 0;
}
