/* The generated Unicode tables (unicode_tables.c, written by tools/unicode/make_tables.py) and the
 * bit layout of their per-code-point records. Only unicode.c reads these. */
#ifndef TETRA_TEXT_UNICODE_INTERNAL_H
#define TETRA_TEXT_UNICODE_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "text/unicode.h"

/* tt_uc_rec_props bits. */
#define TT_UCP_GC_MASK 0x1Fu      /* enum tt_gc */
#define TT_UCP_WHITE (1u << 5)    /* PropList White_Space */
#define TT_UCP_ALPHA (1u << 6)    /* DerivedCoreProperties Alphabetic */
#define TT_UCP_LOWER (1u << 7)    /* has a lowercase mapping other than itself */
#define TT_UCP_DECOMP (1u << 8)   /* has a decomposition mapping (Hangul syllables excluded) */
#define TT_UCP_GCB_SHIFT 9        /* Grapheme_Cluster_Break, enum tt_gcb in unicode.c, 4 bits */
#define TT_UCP_EXTPICT (1u << 13) /* emoji-data Extended_Pictographic */
/* A combining class or decomposition that unicode-normalization-alignments (Unicode 9.0 tables)
 * does not know: the character is newer. HF-compatible normalization treats it as a starter
 * without decomposition. */
#define TT_UCP_HF_NEW (1u << 14)
#define TT_UCP_COMPOSE_SECOND (1u << 15) /* second of some primary composite (Hangul V, T too) */

#define TT_UC_SHIFT 4       /* records per block: 1 << TT_UC_SHIFT */
#define TT_UC_CHUNK_SHIFT 5 /* blocks per chunk: 1 << TT_UC_CHUNK_SHIFT */
#define TT_UC_DECOMP_SAMPLE 16 /* decompositions per stored blob offset */

extern const char tt_uc_version[];
extern const uint16_t tt_uc_rec_props[];
extern const uint8_t tt_uc_rec_ccc[];
extern const uint8_t tt_uc_stage0[];
extern const uint16_t tt_uc_stage1[];
extern const uint8_t tt_uc_stage2[];

extern const uint32_t tt_uc_lower_runs[]; /* triples: start, count << 1 | (stride - 1), delta */
extern const size_t tt_uc_lower_run_count;
extern const uint32_t tt_uc_lower_special[]; /* quadruples */
extern const size_t tt_uc_lower_special_count;

extern const uint32_t tt_uc_decomp_key[]; /* cp << 8 | utf16 length << 1 | compat */
extern const uint16_t tt_uc_decomp_offset[]; /* of every TT_UC_DECOMP_SAMPLE-th mapping */
extern const size_t tt_uc_decomp_count;
extern const uint16_t tt_uc_decomp_blob[];

extern const uint32_t tt_uc_compose_pairs[]; /* triples */
extern const size_t tt_uc_compose_count;

/* The TT_UCP_* bits of cp (0 above U+10FFFF and for surrogates). */
unsigned tt_uc_props(uint32_t cp);

/* tt_uc_normalize with a choice of data: latest != 0 uses the full Unicode data of the tables
 * (what NormalizationTest.txt checks); latest == 0 is tt_uc_normalize, as the crate does it. */
tetra_status tt_uc_normalize_ex(tt_nf form, int latest, const uint32_t *cps, size_t n,
                                const tetra_allocator *a, tt_cpchange **out, size_t *out_len,
                                tetra_error *err);

#endif
