// llama.cpp's prefill and decode tokens/s on one GGUF, for bench/run-families.sh: a prompt of --prompt
// token ids (ids 3.. of the vocabulary, cycled) evaluated in one batch, then --decode greedy steps of one
// token each. CPU, --threads threads, F32 KV cache, no flash attention (as the goldens). One warm-up run
// on a short prompt first. Prints one line: "llama.cpp prefill N tokens X tok/s; decode M tokens Y tok/s".
//
// usage: node oracle/llamacpp-bench.mjs --model FILE.gguf [--prompt 2048] [--decode 32] [--threads 2]
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        console.error(`llamacpp-bench: error: bad argument ${argv[i]}`);
        process.exit(2);
    }
    args[argv[i].slice(2)] = argv[i + 1];
}
if (args.model === undefined) {
    console.error("llamacpp-bench: error: --model is required");
    process.exit(2);
}
const promptTokens = Number(args.prompt ?? 2048);
const decodeTokens = Number(args.decode ?? 32);
const threads = Number(args.threads ?? 2);

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: args.model});
const context = await model.createContext({
    contextSize: promptTokens + decodeTokens + 16, batchSize: promptTokens, threads, sequences: 2,
    flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
});
const want = {generateNext: {logits: {filter: {tokens: [], includeTop: 1}}}};

async function run(n, decode) {
    const sequence = context.getSequence();
    const prompt = Array.from({length: n}, (_, i) => 3 + (i * 7919) % 50000);
    const t0 = performance.now();
    let out = await sequence.controlledEvaluate(prompt.map((t, i) => i < n - 1 ? t : [t, want]));
    const t1 = performance.now();
    let next = [...out[n - 1].next.logits.keys()][0];
    for (let i = 0; i < decode; i++) {
        out = await sequence.controlledEvaluate([[next, want]]);
        next = [...out[0].next.logits.keys()][0];
    }
    const t2 = performance.now();
    sequence.dispose();
    return {prefill: n / ((t1 - t0) / 1000), decode: decode / ((t2 - t1) / 1000)};
}

await run(64, 2);
const r = await run(promptTokens, decodeTokens);
console.log(`llama.cpp prefill ${promptTokens} tokens ${r.prefill.toFixed(0)} tok/s; decode ${decodeTokens} tokens ${r.decode.toFixed(0)} tok/s`);
await context.dispose();
await model.dispose();
await llama.dispose();
