/* SentencePiece's precompiled normalizer (HF tokenizers' "Precompiled" normalizer, from the crate
 * spm_precompiled): the precompiled_charsmap that T5, ALBERT, XLNet, XLM-R and other Unigram
 * models ship, e.g. SentencePiece's nmt_nfkc rules.
 *
 * The charsmap is [u32 little-endian trie size in bytes][trie: Darts double array of u32 units]
 * [normalized strings: UTF-8, each entry ended by NUL]. A trie key is UTF-8 text; its value is
 * the byte offset of the replacement in the normalized strings. */
#ifndef TETRA_TEXT_PRECOMPILED_H
#define TETRA_TEXT_PRECOMPILED_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/nstr.h"

typedef struct tt_precompiled tt_precompiled;

/* Parses a binary charsmap (copied). `path` names the JSON object in errors, e.g.
 * "normalizer.normalizers[0]" gives "tokenizer.json: normalizer.normalizers[0].
 * precompiled_charsmap: ...". */
tetra_status tt_precompiled_create(const void *charsmap, size_t len, const char *path,
                                   const tetra_allocator *a, tt_precompiled **out, tetra_error *err);
/* The same from the base64 text that tokenizer.json holds (standard alphabet, padded). */
tetra_status tt_precompiled_from_base64(const char *text, size_t len, const char *path,
                                        const tetra_allocator *a, tt_precompiled **out,
                                        tetra_error *err);
void tt_precompiled_free(tt_precompiled *pc);

/* Normalizes ns in place as HF's Precompiled normalizer: extended grapheme clusters shorter than
 * 6 bytes are looked up whole, others (and clusters without an entry) character by character;
 * replacements go through tt_nstr_transform with HF's change values. */
tetra_status tt_precompiled_apply(const tt_precompiled *pc, tt_nstr *ns, tetra_error *err);

/* spm_precompiled's transform(): the replacement of the shortest prefix of s[0, len) that has an
 * entry (the first leaf on the trie path, as the crate takes results[0]). Returns 1 and sets
 * repl and repl_len (pointing into pc), 0 when no prefix has an entry, -1 when the charsmap is
 * malformed along this path (err set). */
int tt_precompiled_lookup(const tt_precompiled *pc, const char *s, size_t len, const char **repl,
                          size_t *repl_len, tetra_error *err);

#endif
