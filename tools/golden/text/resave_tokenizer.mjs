// The Node step of make_sp_tokenizers.py: lets the Rust `tokenizers` library (npm
// @anush008/tokenizers, tokenizers 0.22) read a tokenizer.json and write it back, so committed files
// are in exactly the form that library writes.
//
//   node tools/golden/text/resave_tokenizer.mjs IN.json OUT.json
//   node tools/golden/text/resave_tokenizer.mjs --encode TOKENIZER.json LINES.json
//       prints the ids of every line (no special tokens) as a JSON array of arrays
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');

const args = process.argv.slice(2);
if (args[0] === '--encode' && args.length === 3) {
  const tok = Tokenizer.fromString(readFileSync(args[1], 'utf8'));
  const lines = JSON.parse(readFileSync(args[2], 'utf8'));
  const out = [];
  for (const line of lines) {
    const enc = await tok.encode(line, null, { addSpecialTokens: false });
    out.push(enc.getIds());
  }
  process.stdout.write(JSON.stringify(out));
} else if (args.length === 2) {
  const tok = Tokenizer.fromString(readFileSync(args[0], 'utf8'));
  tok.save(args[1], false);
} else {
  console.error('usage: resave_tokenizer.mjs IN.json OUT.json | --encode TOKENIZER.json LINES.json');
  process.exit(2);
}
