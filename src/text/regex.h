/* A regular-expression engine for the patterns tokenizer.json files carry (HF tokenizers compiles
 * them with Oniguruma, Ruby syntax): Split pre-tokenizers such as GPT-2's
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * and Llama-3's, the Replace normalizer and decoder, and ByteLevel's built-in pattern.
 * Matching is over valid UTF-8 by code point, leftmost-first (Perl/Oniguruma semantics: ordered
 * alternation, greedy/lazy/possessive quantifiers). Known patterns may run through hand-written
 * scanners that give the same matches as the general engine (a test compares them).
 * Unsupported syntax is an error naming the construct and its position in the pattern. */
#ifndef TETRA_TEXT_REGEX_H
#define TETRA_TEXT_REGEX_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/nstr.h"

typedef struct tt_regex tt_regex;

tetra_status tt_regex_compile(const char *pattern, size_t len, const tetra_allocator *a,
                              tt_regex **out, tetra_error *err);
void tt_regex_free(tt_regex *re);
/* Leftmost match starting at byte `from` or later in text[0, len). Returns 1 and sets *start/*end
 * when found, 0 when not; an error (for example a backtracking budget exceeded) returns -1 with
 * err set. Lookbehind/anchors see the whole text, not just text[from..]. */
int tt_regex_search(const tt_regex *re, const char *text, size_t len, size_t from, size_t *start,
                    size_t *end, tetra_error *err);
/* All matches as HF's find_matches iterates them (after an empty match, the search resumes one
 * character later), appended to m (spans allocated from a). */
tetra_status tt_regex_find_all(const tt_regex *re, const char *text, size_t len,
                               const tetra_allocator *a, tt_matches *m, tetra_error *err);

#endif
