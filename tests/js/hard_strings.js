// Hand-made strings where tokenizers usually disagree: normalization forms, scripts without
// spaces, grapheme clusters, invisible and control characters, lone surrogates, huge inputs.
// Each entry is [name, text]; names make failures readable. Escapes are used for everything
// invisible or easily confused so that the file itself stays unambiguous.

const repeat = (s, n) => s.repeat(n);

/** @type {Array<[string, string]>} */
export const HARD_STRINGS = [
  ['empty', ''],
  ['one space', ' '],
  ['only whitespace', ' \t\n \r\n '],
  ['ascii sentence', 'Hello, world! How are you doing today?'],
  ['leading/trailing spaces', '   padded on both sides   '],
  ['uppercase', 'THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG'],
  // Accents: precomposed (NFC) vs decomposed (NFD) spellings of the same words.
  ['accents NFC', 'Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00c5ngstr\u00f6m Cr\u00e8me br\u00fbl\u00e9e'],
  ['accents NFD', 'Cafe\u0301 nai\u0308ve re\u0301sume\u0301 A\u030angstro\u0308m Cre\u0300me bru\u0302le\u0301e'],
  ['stacked combining marks', 'a\u0301\u0302\u0303\u0304\u0305 Z\u0351\u0352\u0353\u0354\u0355\u0356'],
  ['combining mark alone', '\u0301 \u0308x'],
  ['ligatures and compat', '\ufb01nance \ufb02ow \u2163 \u00bd \u2460 \uff21\uff22\uff23 \u2122 \u00b2'],
  ['german sharp s', 'Stra\u00dfe STRASSE \u1e9e'],
  ['turkish i', '\u0130stanbul \u0131s\u0131k I\u0307'],
  ['greek', '\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5 \u1f00\u1f10'],
  ['cyrillic', '\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0401\u043b\u043a\u0430'],
  // Scripts without spaces between words.
  ['chinese', '\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff01'],
  ['chinese ext-b', '\u{20000}\u{2A6D6}\u{2F800}'],
  ['japanese kana', '\u3053\u3093\u306b\u3061\u306f\u4e16\u754c\u3002\u30ab\u30bf\u30ab\u30ca\u3068\uff8a\uff9d\uff76\uff78\uff76\uff85'],
  ['japanese dakuten decomposed', '\u304b\u3099\u30cf\u309a'],
  ['korean precomposed', '\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8 \uc548\ub155\ud558\uc138\uc694'],
  ['korean jamo', '\u1112\u1161\u11ab\u1100\u116e\u11a8\u110b\u1165 \u3131\u314f'],
  ['thai', '\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a'],
  ['devanagari', '\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e'],
  // Emoji: ZWJ sequences, skin tones, flags, keycaps, variation selectors.
  ['emoji simple', 'I \u2764\ufe0f pizza \ud83c\udf55\ud83d\ude00'],
  ['emoji zwj family', '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66 family'],
  ['emoji skin tones', '\ud83d\udc4b\ud83c\udffb\ud83d\udc4b\ud83c\udffc\ud83d\udc4b\ud83c\udffd\ud83d\udc4b\ud83c\udffe\ud83d\udc4b\ud83c\udfff'],
  ['emoji flags', '\ud83c\uddfa\ud83c\uddf8\ud83c\uddef\ud83c\uddf5\ud83c\udde9\ud83c\uddea \ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc73\udb40\udc63\udb40\udc74\udb40\udc7f'],
  ['emoji keycap', '1\ufe0f\u20e3 #\ufe0f\u20e3'],
  ['emoji run', repeat('\ud83d\ude02', 40)],
  // Right-to-left.
  ['arabic', '\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \u0661\u0662\u0663'],
  ['arabic tashkeel', '\u0627\u0644\u0633\u0651\u064e\u0644\u0627\u0645\u064f \u0639\u064e\u0644\u064e\u064a\u0652\u0643\u064f\u0645\u0652'],
  ['hebrew niqqud', '\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd \u05e2\u05d5\u05b9\u05dc\u05b8\u05dd'],
  ['bidi controls', 'abc \u202edcba\u202c \u200fx\u200e'],
  // Control and invisible characters.
  ['c0 controls', 'a\u0000b\u0001c\u0007d\u001be\u007ff'],
  ['c1 controls', 'a\u0080b\u0085c\u009fd'],
  ['zero width', 'zero\u200bwidth\u200cnon\u200djoiner\ufeffbom'],
  ['bom first', '\ufeffstarts with a BOM'],
  ['soft hyphen', 'hy\u00adphen\u00adated'],
  ['replacement char', 'bad \ufffd byte'],
  ['private use', '\ue000\uf8ff \u{f0000}'],
  ['noncharacters', '\ufffe\uffff \u{1fffe}'],
  // Lone surrogates: TextEncoder turns each into U+FFFD; offsets must still map to the JS string.
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', 'a\udc00b'],
  ['lone surrogate at end', 'end\ud83d'],
  ['lone surrogate at start', '\ude00start'],
  ['reversed surrogate pair', 'x\ude00\ud83dy'],
  ['surrogates only', '\ud800\ud800\udfff'],
  // Whitespace of every kind.
  ['mixed whitespace', 'a\u00a0b\u3000c\u2028d\r\ne\tf\u0085g\u2029h\u000bi\u000cj\u1680k\u2003l\u202fm\u205fn'],
  ['crlf lines', 'line one\r\nline two\r\nline three\r\n'],
  ['whitespace run 1000', `before${repeat(' ', 1000)}after`],
  ['mixed whitespace run', repeat(' \t\u00a0\n', 500)],
  ['newlines run', repeat('\n', 300)],
  // Digits, punctuation, contractions.
  ['digits', '0123456789 3.14159 1,000,000 -42 1e-9 \u0664\u0662 \uff11\uff12'],
  ['long number', repeat('9876543210', 30)],
  ['contractions', "I'm can't won't y'all they're it's we've o'clock rock'n'roll"],
  ['curly apostrophes', 'I\u2019m can\u2019t \u2018quoted\u2019 \u201cdouble\u201d'],
  ['punctuation', '!!!???...;;;:::---___***((())){{}}[[]]<<>>@@##$$%%^^&&||\\\\//~~``'],
  ['unicode punctuation', '\u00bfQu\u00e9? \u00a1S\u00ed! \u2014 \u2026 \u00ab\u00bb \u3001\u3002\u300c\u300d'],
  ['symbols', '\u20ac100 \u00a3 \u00a5 \u2211\u222b\u221a \u2190\u2192 \u00a9\u00ae \u00b0C'],
  // URLs, e-mail, code.
  ['url', 'See https://example.com/path/to?query=a%20b&x=1#frag or www.test.co.uk.'],
  ['email', 'Write to first.last+tag@sub.example.org, please.'],
  ['code', 'function f(x) {\n  return x.map((y) => y ** 2).filter(Boolean); // sq\n}\n'],
  ['python code', 'def f(self, *args, **kwargs):\n\tif x != None and y >= 0:\n\t\treturn {"a": [1, 2]}\n'],
  ['html', '<p class="x">Hello&nbsp;<b>world</b> &amp; &#x263A;</p>'],
  ['json', '{"key": "value", "n": [1, 2.5, null, true]}'],
  ['special-token text', '[CLS] [SEP] [PAD] [MASK] [UNK] <|endoftext|> <s> </s> <unk>'],
  ['special tokens glued', 'a[MASK]b<|endoftext|>c'],
  ['byte-level look-alikes', '\u0120\u010a \u0100\u0101'],
  ['metaspace look-alike', '\u2581hello \u2581\u2581world'],
  ['wordpiece look-alike', '##ing ## #'],
  // Sizes.
  ['word of 10000 chars', repeat('a', 10000)],
  ['word of 10000 mixed chars', repeat('abcdefghij', 1000)],
  ['accented word of 5000 chars', repeat('\u00e9', 5000)],
  ['cjk run of 3000 chars', repeat('\u6f22\u5b57', 1500)],
  ['many short words', repeat('a b ', 2000)],
  ['long sentence', repeat('The quick brown fox jumps over the lazy dog. ', 200)],
];

/** Just the texts. */
export const HARD_TEXTS = HARD_STRINGS.map(([, text]) => text);
