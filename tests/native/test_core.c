/* Core: status messages, arena, SHA-256 test vectors. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"

static void hex(const uint8_t d[32], char out[65]) {
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha256(void) {
  uint8_t d[32];
  char h[65];
  tetra_sha256("", 0, d);
  hex(d, h);
  CHECK(strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "%s", h);
  tetra_sha256("abc", 3, d);
  hex(d, h);
  CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "%s", h);
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
  tetra_sha256(two, strlen(two), d);
  hex(d, h);
  CHECK(strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0, "%s", h);
  size_t n = 1000000;
  char *a = malloc(n);
  memset(a, 'a', n);
  tetra_sha256(a, n, d);
  hex(d, h);
  CHECK(strcmp(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0, "%s", h);
  free(a);
}

static void test_errors(void) {
  tetra_error err;
  CHECK(tetra_error_set(&err, TETRA_ERR_FORMAT, "field %s at %d", "x", 7) == TETRA_ERR_FORMAT, "code");
  CHECK(strcmp(err.message, "field x at 7") == 0, "%s", err.message);
  tetra_error_prefix(&err, "loader %d", 2);
  CHECK(strcmp(err.message, "loader 2: field x at 7") == 0, "%s", err.message);
  char big[2000];
  memset(big, 'y', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  tetra_error_set(&err, TETRA_ERR_PARSE, "%s", big);
  CHECK(strlen(err.message) == TETRA_ERROR_MESSAGE_SIZE - 1, "truncated to the buffer");
  tetra_error_prefix(&err, "%s", big);
  CHECK(strlen(err.message) == TETRA_ERROR_MESSAGE_SIZE - 1, "prefix keeps the bound");
  tetra_error_clear(&err);
  CHECK(err.code == TETRA_OK && err.message[0] == '\0', "cleared");
  CHECK(strcmp(tetra_status_name(TETRA_ERR_LIMIT), "TETRA_ERR_LIMIT") == 0, "name");
  tetra_error_set(NULL, TETRA_ERR_PARSE, "ignored"); /* NULL is allowed */
}

static void *counting_alloc(void *user, size_t size) {
  ++*(int *)user;
  return malloc(size);
}
static void counting_free(void *user, void *ptr) {
  (void)user;
  free(ptr);
}

static void test_arena(void) {
  tetra_arena arena;
  tetra_arena_init(&arena, NULL, 256);
  for (int i = 1; i < 200; i++) {
    char *p = tetra_arena_alloc(&arena, (size_t)i * 3);
    CHECK(p != NULL && ((uintptr_t)p & 15u) == 0, "allocation %d aligned", i);
    if (p) memset(p, 0xAB, (size_t)i * 3);
  }
  char *big = tetra_arena_alloc(&arena, 100000);
  CHECK(big != NULL, "oversized allocation");
  if (big) memset(big, 1, 100000);
  CHECK(tetra_arena_alloc(&arena, SIZE_MAX - 4) == NULL, "impossible size is refused");
  tetra_arena_release(&arena);
  CHECK(arena.head == NULL && arena.used == 0, "released");

  /* reset: after the first round, the same allocations never reach the allocator again */
  int calls = 0;
  tetra_allocator counting = {counting_alloc, counting_free, &calls};
  tetra_arena_init(&arena, &counting, 1024);
  for (int round = 0; round < 4; round++) {
    int before = calls;
    for (int i = 0; i < 50; i++) CHECK(tetra_arena_alloc(&arena, 200) != NULL, "round %d", round);
    if (round > 1) CHECK(calls == before, "round %d allocated %d chunks", round, calls - before);
    tetra_arena_reset(&arena);
    CHECK(arena.used == 0, "reset");
  }
  tetra_arena_release(&arena);
}

int main(void) {
  test_sha256();
  test_errors();
  test_arena();
  return harness_finish("test_core");
}
