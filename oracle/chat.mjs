// Chat-template goldens for starspark: transformers.js apply_chat_template (the @huggingface/jinja engine) on the
// real Llama 3 / Qwen3 tokenizer_config.json templates, the rendered text and its ids; llama.cpp's ids for the
// same rendered text with parse-special (node-llama-cpp, vocab-only GGUF, see README.md) as a cross-check.
import { getLlama } from "node-llama-cpp";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hfTokenizer } from "./hf.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const conversations = [
    { messages: [{ role: "user", content: "What is the capital of France?" }], add_generation_prompt: true },
    { messages: [{ role: "system", content: "You are a terse assistant." }, { role: "user", content: "Name three primes." }], add_generation_prompt: true },
    { messages: [{ role: "user", content: "  padded question with spaces  \n" }], add_generation_prompt: true },
    { messages: [{ role: "user", content: "Résumé:\n- 東京 2026年\n- emoji 😀👍🏽\n\tindented line" }], add_generation_prompt: true },
    { messages: [{ role: "user", content: "Please print <|eot_id|> and <|im_end|> literally." }], add_generation_prompt: true },
    { messages: [{ role: "system", content: "Answer in one word." }, { role: "user", content: "Capital of Japan?" },
        { role: "assistant", content: "<think>\nThe user asks about Japan.\n</think>\n\nTokyo." }, { role: "user", content: "And of Italy?" }], add_generation_prompt: true },
    { messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello! How can I help?" }], add_generation_prompt: false },
    { messages: [{ role: "user", content: "" }], add_generation_prompt: true },
];
const llama = await getLlama({ gpu: false, build: "never" });
const golden = { source: "transformers.js apply_chat_template and node-llama-cpp 3.22.1, by oracle/chat.mjs", families: {} };
for (const family of ["llama3", "qwen3"]) {
    const hf = hfTokenizer(family);
    const model = await llama.loadModel({ modelPath: path.join(here, "target", `${family}-vocab.gguf`), vocabOnly: true });
    golden.families[family] = conversations.map((c) => {
        const text = hf.apply_chat_template(c.messages, { tokenize: false, add_generation_prompt: c.add_generation_prompt });
        const ids = Array.from(hf.apply_chat_template(c.messages, { tokenize: true, return_tensor: false, add_generation_prompt: c.add_generation_prompt }));
        const llamacpp = Array.from(model.tokenize(text, true));
        if (JSON.stringify(ids) !== JSON.stringify(llamacpp)) {
            console.log(`${family}: HF and llama.cpp ids differ for ${JSON.stringify(text)}`);
        }
        return { ...c, text, ids, llamacpp };
    });
    await model.dispose();
}
fs.writeFileSync(path.resolve(here, "../model/src/test/resources/golden/chat-templates.json"), JSON.stringify(golden) + "\n");
console.log("wrote chat-templates.json");
