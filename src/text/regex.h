/* A regular-expression engine for the patterns tokenizer.json files carry (HF tokenizers compiles
 * them with Oniguruma, Ruby syntax): Split pre-tokenizers such as GPT-2's
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * and Llama-3's, the Replace normalizer and decoder, and ByteLevel's built-in pattern.
 * Matching is over valid UTF-8 by code point, leftmost-first (Perl/Oniguruma semantics: ordered
 * alternation, greedy/lazy/possessive quantifiers). Known patterns may run through hand-written
 * scanners that give the same matches as the general engine (a test compares them).
 * Unsupported syntax is an error naming the construct and its position in the pattern.
 *
 * Syntax (the onig crate's Regex::new: ONIG_SYNTAX_RUBY, ONIG_OPTION_NONE, UTF-8):
 *  - literals, \t \n \r \f \v \a \e, \xHH (HH <= 7F; above is a byte in Onig, an error here as
 *    there), \x{H...}, \uHHHH, \0oo, escaped punctuation; '{' that does not open an interval is a
 *    literal.
 *  - . is any code point but \n ((?m) makes it any); ^ $ are line anchors (Ruby: always
 *    multi-line); \A \z \Z \b \B \G.
 *  - classes [...] with ranges, ^ negation, nested classes, && intersection, [:alpha:] [:digit:]
 *    [:alnum:] [:space:] [:word:] [:xdigit:] [:ascii:] (and [:^name:]), escapes inside.
 *  - \s = White_Space (U+0009..000D, 0020, 0085, 00A0, 1680, 2000..200A, 2028, 2029, 202F, 205F,
 *    3000); \d = general category Nd; \w = Alphabetic | M | Nd | Pc, and a standalone \w, \W,
 *    \p{Word} or \b also counts U+00B2 U+00B3 U+00B9 U+00BC..U+00BE as word characters (Onig
 *    takes code points below 256 from its Latin-1 table there, but not inside [...]: [\w] and
 *    [[:word:]] leave them out); \h = [0-9a-fA-F]; \S \D \W \H their complements. (Checked against Onig over every code point: \s exactly;
 *    \w \d and \p{..} exactly for the code points of Unicode 15.0, the version of our tables;
 *    the Rust binding's Onig has Unicode 16.0 data, so characters new in 16.0 differ.)
 *  - \p{..} \P{..} \p{^..}: general categories by short or long name (L Lu Ll Lt Lm Lo LC M Mn
 *    Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn, Letter,
 *    Uppercase_Letter, ...), Any, Assigned, Alpha/Alphabetic, Space/White_Space, Word, Alnum,
 *    XDigit; names match loosely (case, spaces, '_' and '-' ignored). Scripts and blocks are not
 *    supported (an error).
 *  - groups (...) (captures behave as non-capturing: only the whole match is reported),
 *    (?:...), (?<name>...), (?#...), (?>...) atomic, (?=...) (?!...), (?<=...) (?<!...) with each
 *    alternative of fixed length, (?imx-imx) for the rest of the enclosing group (alternatives
 *    included, as Onig parses it) and (?imx-imx:...).
 *  - quantifiers * + ? {n} {n,} {,m} {n,m}, lazy with ?, possessive *+ ++ ?+; as in Ruby syntax
 *    {n,m}+ is a repetition of {n,m} (not possessive) and {n}? is an optional {n}.
 *  - (?i) uses Unicode simple case folding (CaseFolding.txt C+S): (?i)s matches s S U+017F,
 *    (?i)k matches k K U+212A; it applies to literals and class ranges, not to \p{..} or \w.
 *    Multi-character folds ((?i)ss against U+00DF) are not supported.
 *  - Not supported (errors): backreferences and subexpression calls (\1 \k<..> \g<..>), \K \R \X
 *    \N \O, conditionals, absent operator, variable-length lookbehind, \p{Script}.
 * Matching cost: a backtracking matcher with an explicit stack and a step budget of 2^24 + 256
 * steps per byte of text per call; catastrophic patterns fail with TETRA_ERR_LIMIT. */
#ifndef TETRA_TEXT_REGEX_H
#define TETRA_TEXT_REGEX_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/nstr.h"

typedef struct tt_regex tt_regex;

/* Compiles pattern[0, len) (UTF-8). a may be NULL (malloc). On failure *out is NULL and err says
 * what and where, e.g. regex "(a)\1": unsupported backreference or subexpression call \1 at
 * offset 3. */
tetra_status tt_regex_compile(const char *pattern, size_t len, const tetra_allocator *a,
                              tt_regex **out, tetra_error *err);
void tt_regex_free(tt_regex *re);
/* Leftmost match starting at byte `from` or later in text[0, len). Returns 1 and sets *start and
 * *end when found, 0 when not; an error (for example a backtracking budget exceeded) returns -1
 * with err set. Lookbehind/anchors see the whole text, not just text[from..]; \G is `from`. */
int tt_regex_search(const tt_regex *re, const char *text, size_t len, size_t from, size_t *start,
                    size_t *end, tetra_error *err);
/* All matches as HF's find_matches iterates them (the onig crate's find_iter: after an empty
 * match the search resumes one character later, and an empty match right after a non-empty one
 * is dropped), appended to m (spans allocated from a, which may be NULL for malloc). An empty
 * text gives no match at all, as HF's find_matches never runs the regex on it. */
tetra_status tt_regex_find_all(const tt_regex *re, const char *text, size_t len,
                               const tetra_allocator *a, tt_matches *m, tetra_error *err);

#endif
