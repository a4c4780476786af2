#!/usr/bin/python3
"""Generates src/text/unicode_tables.c from Debian's unicode-data (/usr/share/unicode/).

    /usr/bin/python3 tools/unicode/make_tables.py [UNICODE_DIR] [OUTPUT]

Per code point properties (general category, White_Space, Alphabetic, canonical combining class,
Grapheme_Cluster_Break, Extended_Pictographic, "has a lowercase mapping", "has a decomposition",
"normalization data newer than HF_NORM_AGE", "can be the second of a primary composite")
are packed into a small record; distinct records are stored once and found through a three-stage
table (code point >> 13 -> chunk, chunk -> block, block -> record index), with identical chunks and
blocks shared.
The rarer data (lowercase mappings, decomposition mappings, primary composites) are sorted arrays
searched by binary search, reached only when the record's flag says the code point has any.
"""
import os
import re
import sys

UDIR = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/unicode'
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'text', 'unicode_tables.c')
MAXCP = 0x110000
SHIFT = 4  # blocks of 16 records and chunks of 32 blocks: the smallest tables for Unicode 15
CHUNK_SHIFT = 5
# The Unicode version of the normalization tables in the crate unicode-normalization-alignments
# 0.1.12, which HF tokenizers uses: probed through the Rust binding (a mark added in 10.0 has
# combining class 0 there, and no decomposition added after 9.0 is applied).
HF_NORM_AGE = (9, 0)
DECOMP_SAMPLE = 16  # one stored blob offset per 16 decompositions: must match unicode.c

# Order must match enum tt_gc in src/text/unicode.h.
GCS = ['Cn', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Mn', 'Mc', 'Me', 'Nd', 'Nl', 'No', 'Pc', 'Pd', 'Ps',
       'Pe', 'Pi', 'Pf', 'Po', 'Sm', 'Sc', 'Sk', 'So', 'Zs', 'Zl', 'Zp', 'Cc', 'Cf', 'Cs', 'Co']
# Order must match enum tt_gcb in src/text/unicode.c.
GCBS = ['Other', 'CR', 'LF', 'Control', 'Extend', 'ZWJ', 'Regional_Indicator', 'Prepend',
        'SpacingMark', 'L', 'V', 'T', 'LV', 'LVT']


def path(name):
    return os.path.join(UDIR, name)


def data_lines(name):
    with open(path(name), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                yield [field.strip() for field in line.split(';')]


def cp_range(text):
    if '..' in text:
        a, b = text.split('..')
        return range(int(a, 16), int(b, 16) + 1)
    return range(int(text, 16), int(text, 16) + 1)


def version():
    with open(path('DerivedCoreProperties.txt'), encoding='utf-8') as f:
        m = re.search(r'DerivedCoreProperties-(\d+\.\d+\.\d+)', f.readline())
    return m.group(1) if m else 'unknown'


def main():
    gc = [0] * MAXCP
    ccc = [0] * MAXCP
    decomp = {}  # cp -> (compat, [cps]) single-level mapping, Hangul excluded (algorithmic)
    lower = {}  # cp -> [cps]
    first = None
    for f in data_lines('UnicodeData.txt'):
        cp = int(f[0], 16)
        name = f[1]
        if name.endswith(', First>'):
            first = cp
            continue
        cps = range(first, cp + 1) if name.endswith(', Last>') else [cp]
        for c in cps:
            gc[c] = GCS.index(f[2])
            ccc[c] = int(f[3])
        if f[5]:
            parts = f[5].split()
            compat = parts[0].startswith('<')
            if compat:
                parts = parts[1:]
            decomp[cp] = (compat, [int(p, 16) for p in parts])
        if f[13] and int(f[13], 16) != cp:
            lower[cp] = [int(f[13], 16)]
    # Unconditional SpecialCasing entries (no condition field) replace the simple mapping, as in
    # Rust's char::to_lowercase.
    for f in data_lines('SpecialCasing.txt'):
        if len(f) >= 5 and f[4]:
            continue  # conditional (final sigma, language-specific): Rust ignores these
        cp = int(f[0], 16)
        low = [int(p, 16) for p in f[1].split()]
        if low != [cp]:
            lower[cp] = low
    white = set()
    for f in data_lines('PropList.txt'):
        if f[1] == 'White_Space':
            white.update(cp_range(f[0]))
    alpha = set()
    for f in data_lines('DerivedCoreProperties.txt'):
        if f[1] == 'Alphabetic':
            alpha.update(cp_range(f[0]))
    gcb = [0] * MAXCP
    for f in data_lines('auxiliary/GraphemeBreakProperty.txt'):
        for c in cp_range(f[0]):
            gcb[c] = GCBS.index(f[1])
    extpict = set()
    for f in data_lines('emoji/emoji-data.txt'):
        if f[1] == 'Extended_Pictographic':
            extpict.update(cp_range(f[0]))
    newer = set()  # assigned after HF_NORM_AGE
    for f in data_lines('DerivedAge.txt'):
        if tuple(int(x) for x in f[1].split('.')) > HF_NORM_AGE:
            newer.update(cp_range(f[0]))
    full_excl = set()
    for f in data_lines('DerivedNormalizationProps.txt'):
        if f[1] == 'Full_Composition_Exclusion':
            full_excl.update(cp_range(f[0]))

    # Characters that can follow a starter in a primary composite (Hangul V and T included):
    # composition is only looked up for these.
    comps = []
    for cp, (compat, m) in decomp.items():
        if not compat and len(m) == 2 and cp not in full_excl:
            comps.append((m[0], m[1], cp))
    comps.sort()
    comp_second = set(b for a, b, c in comps)
    comp_second.update(range(0x1161, 0x1161 + 21))
    comp_second.update(range(0x11A8, 0x11A7 + 28))

    # Records: props bits (TT_UCP_* in src/text/unicode_internal.h): gc (5 bits) | white | alpha
    # | has_lower | has_decomp | gcb (4 bits) | extpict | hf_norm_new (normalization data that
    # the crate does not know: a combining class or decomposition of a character newer than
    # HF_NORM_AGE) | compose_second; and the canonical combining class.
    records = {}
    rec_list = []
    rec_of = [0] * MAXCP
    for c in range(MAXCP):
        bits = (gc[c] | (c in white) << 5 | (c in alpha) << 6 | (c in lower) << 7
                | (c in decomp) << 8 | gcb[c] << 9 | (c in extpict) << 13
                | (c in newer and (ccc[c] != 0 or c in decomp)) << 14
                | (c in comp_second) << 15)
        key = (bits, ccc[c])
        r = records.get(key)
        if r is None:
            r = records[key] = len(rec_list)
            rec_list.append(key)
        rec_of[c] = r
    assert len(rec_list) <= 256  # stage 2 is uint8_t

    block_size = 1 << SHIFT
    blocks = {}
    block_list = []
    stage1 = []
    for start in range(0, MAXCP, block_size):
        blk = tuple(rec_of[start:start + block_size])
        b = blocks.get(blk)
        if b is None:
            b = blocks[blk] = len(block_list)
            block_list.append(blk)
        stage1.append(b)
    chunk_size = 1 << CHUNK_SHIFT
    chunks = {}
    chunk_list = []
    stage0 = []
    for start in range(0, len(stage1), chunk_size):
        ch = tuple(stage1[start:start + chunk_size])
        k = chunks.get(ch)
        if k is None:
            k = chunks[ch] = len(chunk_list)
            chunk_list.append(ch)
        stage0.append(k)
    assert len(chunk_list) <= 256
    assert len(block_list) <= 65536  # stage 1 is uint16_t


    # Decomposition blob: single-level mappings, resolved recursively at run time.
    dkeys = sorted(decomp)
    blob = []
    dentries = []
    for cp in dkeys:
        compat, m = decomp[cp]
        units = []
        for c in m:  # UTF-16: mappings never hold surrogates, so this is lossless and half the size
            if c >= 0x10000:
                units += [0xD800 + ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) & 0x3FF)]
            else:
                units.append(c)
        assert len(units) < 128
        dentries.append((cp, len(blob), len(units), compat))
        blob.extend(units)
    assert len(blob) < (1 << 16)

    lkeys = sorted(lower)
    lsimple = [(cp, lower[cp][0]) for cp in lkeys if len(lower[cp]) == 1]
    # Runs of simple mappings with one delta and a stride of 1 or 2 (Latin Extended alternates
    # upper and lower case): (start, count << 1 | (stride - 1), delta) triples.
    lruns = []
    i = 0
    while i < len(lsimple):
        start, low = lsimple[i]
        delta = low - start
        best = (1, 1)
        for stride in (1, 2):
            j = i + 1
            count = 1
            while (j < len(lsimple) and lsimple[j][0] == start + count * stride
                   and lsimple[j][1] - lsimple[j][0] == delta):
                j += 1
                count += 1
            if count > best[0]:
                best = (count, stride)
        count, stride = best
        lruns.append((start, count << 1 | (stride - 1), delta & 0xFFFFFFFF))
        # skip the entries the run covers (with stride 2 they are consecutive in lsimple too,
        # because the odd code points between have no mapping or belong to the same run)
        covered = set(start + k * stride for k in range(count))
        while i < len(lsimple) and lsimple[i][0] in covered:
            i += 1
    expanded = {}
    for start, cs, delta in lruns:
        for k in range(cs >> 1):
            c = start + k * ((cs & 1) + 1)
            expanded[c] = c + (delta if delta < 0x80000000 else delta - (1 << 32))
    assert expanded == dict(lsimple), 'lowercase runs do not reproduce the mappings'
    lspecial = [(cp, lower[cp]) for cp in lkeys if len(lower[cp]) > 1]
    assert all(len(v) <= 3 for _, v in lspecial)

    out = []
    w = out.append
    w('/* GENERATED by tools/unicode/make_tables.py from Unicode %s data (Debian unicode-data,\n'
      ' * %s); do not edit. Regenerate with:\n'
      ' *     /usr/bin/python3 tools/unicode/make_tables.py\n'
      ' * Layout and meaning: see the script and src/text/unicode_internal.h. */\n' % (version(), UDIR))
    w('#include "text/unicode_internal.h"\n\n')
    w('const char tt_uc_version[] = "%s";\n\n' % version())
    w('_Static_assert(TT_UC_SHIFT == %d && TT_UC_CHUNK_SHIFT == %d && TT_UC_DECOMP_SAMPLE == %d,\n'
      '               "unicode_internal.h and the tables disagree: regenerate");\n\n'
      % (SHIFT, CHUNK_SHIFT, DECOMP_SAMPLE))

    def array(ctype, name, values, per_line=20, fmt='%d'):
        w('const %s %s[%d] = {\n' % (ctype, name, len(values)))
        for i in range(0, len(values), per_line):
            w('  ' + ','.join(fmt % v for v in values[i:i + per_line]) + ',\n')
        w('};\n')

    w('/* Records: props bits (see TT_UCP_* in unicode_internal.h) and canonical combining class. */\n')
    array('uint16_t', 'tt_uc_rec_props', [r[0] for r in rec_list], 16)
    array('uint8_t', 'tt_uc_rec_ccc', [r[1] for r in rec_list], 24)
    w('/* Stage 0: code point >> %d -> chunk; stage 1: chunk * %d + (code point >> %d) %% %d -> block;\n'
      ' * stage 2: block * %d + code point %% %d -> record. */\n'
      % (SHIFT + CHUNK_SHIFT, chunk_size, SHIFT, chunk_size, block_size, block_size))
    array('uint8_t', 'tt_uc_stage0', stage0, 32)
    array('uint16_t', 'tt_uc_stage1', [b for ch in chunk_list for b in ch], 32)
    flat = [r for blk in block_list for r in blk]
    array('uint8_t', 'tt_uc_stage2', flat, 32)
    w('\n/* Simple lowercase mappings as runs sorted by start: start, count << 1 | (stride - 1), delta\n'
      ' * (two\'s complement): start + k * stride maps to start + k * stride + delta, k < count. */\n')
    array('uint32_t', 'tt_uc_lower_runs', [v for r in lruns for v in r], 15)
    w('const size_t tt_uc_lower_run_count = %d;\n' % len(lruns))
    w('/* Multi-character lowercase mappings: code point, then up to 3 code points (0 = none). */\n')
    array('uint32_t', 'tt_uc_lower_special',
          [v for cp, m in lspecial for v in [cp] + m + [0] * (3 - len(m))], 16)
    w('const size_t tt_uc_lower_special_count = %d;\n' % len(lspecial))
    w('\n/* Single-level decomposition mappings (Hangul excluded), sorted by code point:\n'
      ' * key = code point << 8 | UTF-16 length << 1 | compat; the mappings are consecutive UTF-16\n'
      ' * in tt_uc_decomp_blob, and tt_uc_decomp_offset holds the offset of every %dth one\n'
      ' * (the others add up the lengths in between). */\n' % DECOMP_SAMPLE)
    array('uint32_t', 'tt_uc_decomp_key',
          [cp << 8 | n << 1 | compat for cp, off, n, compat in dentries], 12)
    array('uint16_t', 'tt_uc_decomp_offset',
          [off for i, (cp, off, n, compat) in enumerate(dentries) if i % DECOMP_SAMPLE == 0], 16)
    w('const size_t tt_uc_decomp_count = %d;\n' % len(dentries))
    array('uint16_t', 'tt_uc_decomp_blob', blob, 16)
    w('\n/* Primary composites (Hangul excluded): first, second, composite; sorted by (first, second). */\n')
    array('uint32_t', 'tt_uc_compose_pairs', [v for t in comps for v in t], 15)
    w('const size_t tt_uc_compose_count = %d;\n' % len(comps))
    with open(OUT, 'w', encoding='utf-8') as f:
        f.write(''.join(out))
    sys.stderr.write('%s: %d records, %d blocks of %d, %d lower (%d runs), %d decompositions, '
                     '%d compositions, %d bytes\n'
                     % (OUT, len(rec_list), len(block_list), block_size, len(lkeys), len(lruns),
                        len(dentries), len(comps), len(''.join(out))))


if __name__ == '__main__':
    main()
