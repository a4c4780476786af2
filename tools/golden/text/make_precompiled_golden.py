#!/usr/bin/python3
"""Golden output of the Rust tokenizers library's Precompiled normalizer (SentencePiece's
precompiled_charsmap) for tests/native/test_text_precompiled.c:

    /usr/bin/python3 tools/golden/text/make_precompiled_golden.py > tests/golden/text/precompiled.json

Two charsmaps:
  * "rules": a tiny charsmap that SentencePiece (Debian python3-sentencepiece) compiles from the
    normalization rules below (normalization_rule_tsv), chosen for the corner cases of HF's
    normalizer: a key that is a prefix of another (the crate takes the shortest), a cluster key
    (e.g. "e" + U+0301), expansions, an empty replacement, a key longer than 6 bytes. Stored in the
    golden file (about 1 KB).
  * "nmt_nfkc": the charsmap in tests/golden/text/sp-unigram/tokenizer.json (SentencePiece's
    default rules, what T5/ALBERT ship; ~240 KB, not copied): the golden file keeps the SHA-256 of its base64 text so
    the test notices when that file changes.
The reference outputs come from tools/golden/text/precompiled_reference.mjs (Node, npm
@anush008/tokenizers).
"""
import base64
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))

# source code points -> replacement code points (hex), SentencePiece's TSV rule format
RULES = [
    ('41', '62'),                 # A -> b
    ('41 301', '63'),             # A + acute -> c: never used, "A" is a shorter prefix on the path
    ('FF21', '41 42 43'),         # fullwidth A -> ABC (1 -> 3)
    ('65 301', '78'),             # e + acute -> x (a 2-character cluster -> 1)
    ('6B', '4B 4B'),              # k -> KK (1 -> 2)
    ('3000', '20'),               # ideographic space -> space
    ('200B', ''),                 # zero width space -> nothing
    ('1F468 200D 1F469', '2A'),   # an 11-byte cluster: looked up per character only
    ('E9', '65 301'),             # precomposed e-acute -> decomposed (1 -> 2)
    ('1100 1161', 'AC00'),        # Hangul jamo cluster -> syllable
]

RULES_STRINGS = [
    'AAA', 'A\u0301', 'A\u0301\u0301', 'Ａbc', 'e\u0301 é e\u0302', 'kayak', 'a\u3000b\u200bc',
    '\u200b\u200bx\u200b', '\U0001F468\u200d\U0001F469 \U0001F468', '\u1100\u1161 \u1100\u1161\u11a8',
    'Ａ\u0301', 'k\u0301\u0301', '', 'plain text', '\u200b', 'éé', 'Ak\u200bÉ',
]

NMT_STRINGS = [
    'Hello World', 'Ｈｅｌｌｏ　Ｗｏｒｌｄ！', 'ﬁﬂ ﬃ ① ㍿ ½ ² Ⅻ ℌ ㎏', 'ｶﾞｷﾞ ﾊﾟ ｱｲｳ',
    'e\u0301 é a\u0308 Å Å', 'tab\there  two\u00a0nbsp\u2009thin\u200bzw\u200dzwj\ufeffbom',
    '\u0000nul\u0007bel\u001fus\u007fdel\u0085nel', 'line\nbreak\r\ncrlf\u2028ls',
    '👨\u200d👩\u200d👧 👍🏽 🇫🇷 🏳️\u200d🌈', '한국어 \u1100\u1161\u11a8', '北京 東京 ソウル', 'Ａ\u0301 Ｅ\u0301',
    '\u2474 \u2488 \u24b6 \u3300 \ufdfa', 'ǅ ǈ Ǳ', '\u0130stanbul İ', '«quoted» “curly” ‘single’ …',
    '\u00ad soft\u00adhyphen', 'x\u0301\u0302\u0303\u0304', '\u0958 \u0915\u093c', 'Ωμέγα ΣΊΣΥΦΟΣ',
    '\U0001d400\U0001d41a \U0001d7ce', '   leading', 'trailing   ', '', 'ℵ ℶ ⅈ ⅉ ℯ', '\ufffd\ufffe',
]

# Random strings over characters that the charsmaps rewrite, combine or cluster (fixed seed).
POOL = ([chr(c) for c in range(0x20, 0x7F, 3)] + ['\t', '\n', '\r', '\x1e', '\x01', '\x7f'] +
        [chr(c) for c in range(0xFF01, 0xFF5E, 7)] + ['ｶ', 'ﾞ', 'ﾟ', 'ﾊ'] +
        [chr(c) for c in range(0x300, 0x307)] + ['\u0323', '\u0345', '\u093c'] +
        [chr(c) for c in range(0xFB00, 0xFB07)] + ['\u2460', '\u2474', '\u3300', '\u2122', '\ufdfa'] +
        ['\U0001d400', '\u1100', '\u1161', '\u11a8', '\uac00'] +
        ['\U0001F468', '\u200d', '\U0001F469', '\U0001F3FD', '\ufe0f', '\U0001F1EB', '\U0001F1F7'] +
        ['\u200b', '\u200c', '\u200e', '\u00a0', '\u00ad', '\u2002', '\u3000', '\ufeff', '\ufffd'] +
        ['\u01c5', '\u0130', '\u00e9', 'A', 'e', 'k'])


def random_strings(n, length, seed):
    rng = random.Random(seed)
    return [''.join(rng.choice(POOL) for _ in range(length)) for _ in range(n)]


def rules_charsmap():
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb
    with tempfile.TemporaryDirectory() as tmp:
        tsv = os.path.join(tmp, 'rules.tsv')
        with open(tsv, 'w', encoding='utf-8') as f:
            for src, dst in RULES:
                f.write('%s\t%s\n' % (src, dst))
        text = os.path.join(tmp, 'train.txt')
        with open(text, 'w', encoding='utf-8') as f:
            f.write(''.join('the quick brown fox jumps over the lazy dog %d\n' % i for i in range(50)))
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(input=text, model_writer=model, vocab_size=40,
                                       model_type='char', normalization_rule_tsv=tsv,
                                       num_threads=1, minloglevel=2)
    proto = pb.ModelProto()
    proto.ParseFromString(model.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def main():
    rules = rules_charsmap()
    with open(os.path.join(ROOT, 'tests/golden/text/sp-unigram/tokenizer.json'), encoding='utf-8') as f:
        tok = json.load(f)
    nmt_b64 = next(n['precompiled_charsmap'] for n in tok['normalizer']['normalizers']
                   if n['type'] == 'Precompiled')
    request = {
        'charsmaps': {'rules': base64.b64encode(rules).decode(), 'nmt_nfkc': nmt_b64},
        'strings': {'rules': RULES_STRINGS + random_strings(20, 10, 1),
                    'nmt_nfkc': NMT_STRINGS + random_strings(40, 12, 2)},
    }
    ref = subprocess.run(['node', os.path.join(ROOT, 'tools/golden/text/precompiled_reference.mjs')],
                         input=json.dumps(request).encode(), capture_output=True, check=True)
    cases = json.loads(ref.stdout)
    json.dump({
        'generator': 'tools/golden/text/make_precompiled_golden.py',
        'library': '@anush008/tokenizers (tokenizers 0.22); sentencepiece ' +
                   __import__('sentencepiece').__version__,
        'offsets': 'code points of the input',
        'rules': {'tsv': ['%s\t%s' % r for r in RULES], 'charsmap': base64.b64encode(rules).decode(),
                  'cases': cases['rules']},
        'nmt_nfkc': {'source': 'tests/golden/text/sp-unigram/tokenizer.json',
                     'sha256_base64': hashlib.sha256(nmt_b64.encode()).hexdigest(), 'cases': cases['nmt_nfkc']},
    }, sys.stdout, ensure_ascii=False)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
