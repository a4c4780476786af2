/* llama2.c's tokenizer.bin: int32 max_token_length, then per token a float32 score, an int32 length
 * and that many bytes, until the end of the file (all little-endian). The export replaced
 * SentencePiece's "▁" by " " and spells BOS/EOS "\n<s>\n" and "\n</s>\n"; both are undone here so
 * that the vocabulary reads as the SentencePiece model it came from.
 *
 * llama2.c encodes with a dummy-prefix space, one token per character (bytes + 3 when a character
 * is missing) and then merges, again and again, the adjacent pair whose concatenation is the
 * best-scoring token. A BPE whose merges are every split of every token, ranked by the merged
 * token's score, does the same (see tt_legacy_spm_doc); tests/native/test_text_legacy.c checks it
 * against a direct implementation of llama2.c's loop. */
#include <string.h>

#include "tetra/text.h"
#include "text/legacy.h"

static uint32_t rd_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float rd_f32(const unsigned char *p) {
  uint32_t u = rd_u32(p);
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static int is_byte_token(const char *s, uint32_t len, unsigned byte) {
  static const char hex[] = "0123456789ABCDEF";
  return len == 6 && memcmp(s, "<0x", 3) == 0 && s[3] == hex[byte >> 4] && s[4] == hex[byte & 15] &&
         s[5] == '>';
}

tetra_status tt_legacy_llama2c_json(const void *bin, size_t len, const tetra_allocator *a,
                                    char **json, size_t *json_len, tetra_error *err) {
  const unsigned char *p = (const unsigned char *)bin;
  if (!p && len) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tokenizer.bin: NULL data");
  if (len < 4)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.bin: %zu bytes is too short for the max_token_length header", len);
  uint32_t max_len = rd_u32(p);
  if (max_len == 0 || max_len > (1u << 20))
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.bin: max_token_length %d at byte 0 is not a plausible length",
                           (int32_t)max_len);

  /* First pass: count and bounds-check, so the second pass can trust every length. */
  size_t n = 0, total = 0;
  for (size_t off = 4; off < len; n++) {
    if (len - off < 8)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.bin: token %zu at byte %zu: truncated (need a score and a length, "
                             "%zu bytes left)",
                             n, off, len - off);
    int32_t tl = (int32_t)rd_u32(p + off + 4);
    if (tl < 0 || (uint32_t)tl > max_len)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.bin: token %zu at byte %zu: length %d is outside 0..%u "
                             "(max_token_length)",
                             n, off + 4, tl, (unsigned)max_len);
    if ((size_t)tl > len - off - 8)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "tokenizer.bin: token %zu at byte %zu: length %d runs past the end of the "
                             "file (%zu bytes left)",
                             n, off + 4, tl, len - off - 8);
    size_t bad = tt_legacy_utf8_check((const char *)p + off + 8, (size_t)tl);
    if (bad != (size_t)tl)
      return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.bin: token %zu at byte %zu: invalid UTF-8",
                             n, off + 8 + bad);
    /* Each space becomes "▁" (3 bytes). */
    for (int32_t i = 0; i < tl; i++) total += p[off + 8 + i] == ' ' ? 3 : 1;
    off += 8 + (size_t)tl;
  }
  if (n < 3)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.bin: %zu tokens; a llama2.c vocabulary starts with <unk>, <s>, </s>", n);
  if (n >= TT_LNONE) return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer.bin: too many tokens");

  tt_lvocab v = {0};
  v.n = n;
  v.text = (const char **)tetra_alloc(a, n * sizeof(char *));
  v.len = (uint32_t *)tetra_alloc(a, n * sizeof(uint32_t));
  v.score = (float *)tetra_alloc(a, n * sizeof(float));
  v.kind = (uint8_t *)tetra_alloc(a, n);
  char *text = (char *)tetra_alloc(a, total + 16);
  tetra_status st = TETRA_OK;
  tt_jbuf b;
  tt_jbuf_init(&b, a);
  if (!v.text || !v.len || !v.score || !v.kind || !text) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer.bin: out of memory");
    goto done;
  }
  size_t off = 4, t = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t tl = rd_u32(p + off + 4);
    const unsigned char *s = p + off + 8;
    v.score[i] = rd_f32(p + off);
    v.kind[i] = TT_LTOK_NORMAL;
    v.text[i] = text + t;
    if (i == 1 && tl == 5 && memcmp(s, "\n<s>\n", 5) == 0) {
      memcpy(text + t, "<s>", 3);
      t += 3;
    } else if (i == 2 && tl == 6 && memcmp(s, "\n</s>\n", 6) == 0) {
      memcpy(text + t, "</s>", 4);
      t += 4;
    } else {
      for (uint32_t k = 0; k < tl; k++) {
        if (s[k] == ' ') {
          memcpy(text + t, "\xe2\x96\x81", 3);
          t += 3;
        } else {
          text[t++] = (char)s[k];
        }
      }
    }
    v.len[i] = (uint32_t)(text + t - v.text[i]);
    off += 8 + tl;
  }
  /* Ids 0, 1, 2 are <unk>, BOS and EOS in every llama2.c export (run.c hard-codes 1 and 2). */
  for (int i = 0; i < 3; i++) v.kind[i] = TT_LTOK_SPECIAL;

  /* llama2.c's byte fallback is "byte + 3": it only makes sense when 3..258 are <0x00>..<0xFF>. */
  int bytes = n >= 259;
  for (unsigned i = 0; bytes && i < 256; i++) bytes = is_byte_token(v.text[3 + i], v.len[3 + i], i);

  tt_lspm o = {0, 1, 2, 1, 0, bytes};
  if ((st = tt_legacy_spm_doc(&v, &o, "tokenizer.bin", &b, err)) == TETRA_OK) {
    *json = b.data;
    *json_len = b.len;
    b.data = NULL;
  }
done:
  tt_jbuf_free(&b);
  tetra_free(a, text);
  tetra_free(a, (void *)v.text);
  tetra_free(a, v.len);
  tetra_free(a, v.score);
  tetra_free(a, v.kind);
  return st;
}

tetra_status tetra_tokenizer_from_llama2c(const void *bin, size_t len,
                                          const tetra_allocator *allocator, tetra_tokenizer **out,
                                          tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tokenizer.bin: out is NULL");
  *out = NULL;
  char *json = NULL;
  size_t json_len = 0;
  tetra_status st = tt_legacy_llama2c_json(bin, len, allocator, &json, &json_len, err);
  if (st != TETRA_OK) return st;
  st = tetra_tokenizer_from_json(json, json_len, allocator, out, err);
  if (st != TETRA_OK) tetra_error_prefix(err, "tokenizer.bin (as tokenizer.json)");
  tetra_free(allocator, json);
  return st;
}
