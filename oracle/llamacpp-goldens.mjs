// llama.cpp's answer for one GGUF and one prompt of token ids, as a golden for starspark's Java tests:
// the greedy continuation ids (llama.cpp's own sampler at temperature 0, end-of-generation tokens kept)
// and the first step's logits (top-20 ids and values, 256 evenly spaced ids, and summary statistics of
// the full vector). Entries of top and sampled are [id, logit].
//
// usage: node oracle/llamacpp-goldens.mjs --model FILE.gguf --tokens 1,2,3[;4,5,6...] --out golden.json
//        [--steps 32] [--min-margin M] [--enough N] [--name NAME] [--shape SHAPE --dtype DTYPE --seed SEED]
//        [--reference DEQUANTIZED.gguf]
// Of several ;-separated candidate prompts, the first whose first N greedy margins (default: all --steps) are >= M
// is recorded (else the one with the longest prefix of such steps: the Java test compares the greedy ids up to the
// first margin below its near-tie margin, and demands a minimum number of them).
// --reference: the same model with every tensor widened to F32 (DequantizedGgufMain): llama.cpp's first-step logits
// on it, at the same ids, are recorded as "reference" (the exact answer of the quantized weights, with no quantized
// arithmetic), with llama.cpp's own largest difference from it over the whole vocabulary, and llama.cpp's greedy
// continuation on it with its margins (what an engine that keeps activations in f32 must generate).
// The --shape/--dtype/--seed values are only recorded, so the Java test can regenerate the file and check
// its sha256 before comparing.
import {createHash} from "node:crypto";
import {readFileSync, writeFileSync} from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const args = parseArgs(process.argv.slice(2));
const modelPath = required(args, "model");
const candidates = required(args, "tokens").split(";").map((p) => p.split(",").map(Number));
const steps = Number(args.steps ?? 32);
const minMarginWanted = Number(args["min-margin"] ?? 0);
const enough = Math.min(steps, Number(args.enough ?? steps));
for (const p of candidates) {
    if (p.length === 0 || p.some((t) => !Number.isInteger(t) || t < 0)) {
        fail(`--tokens must be ;-separated lists of comma-separated non-negative integers (got ${args.tokens})`);
    }
}

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath});
// F32 KV cache and no flash attention: llama.cpp's defaults (F16 cache, F16 Q in flash attention) would
// round K, V and Q to f16, which starspark never does; with these, only the weights' own types differ.
const context = await createContext(model, 2);

// Greedy by llama.cpp's logits, one step at a time, so each step's margin (top-1 minus top-2 logit) is known.
// A backend that differs from llama.cpp by less than half a step's margin in every logit must pick the same
// id there. The first candidate prompt whose first --enough margins are >= --min-margin is kept; if none is, the
// one with the longest run of such steps from the start. A candidate's run stops at its first step below the margin
// or after --enough steps (node-llama-cpp costs ~0.1 s per step on a 128K vocabulary), so many candidates cost
// little; the kept one is run again in full and its comparableSteps counted there.
let chosen = null;
let tried = 0;
for (const candidate of candidates) {
    tried++;
    const run = await greedyRun(candidate, context, minMarginWanted, enough);
    const below = run.margins.findIndex((m) => m < minMarginWanted);
    const above = below < 0 ? run.margins.length : below;
    if (chosen === null || above > chosen.above) {
        chosen = {prompt: candidate, above, index: tried - 1};
    }
    if (above >= enough) {
        break;
    }
}
const {prompt} = chosen;
const {greedy, margins} = await greedyRun(prompt);
const below = margins.findIndex((m) => m < minMarginWanted);
const comparableSteps = below < 0 ? steps : below;
if (comparableSteps < chosen.above) {
    fail(`the kept prompt's full run has ${comparableSteps} steps above ${minMarginWanted}, its first run ${chosen.above}`);
}
console.error(`${args.name ?? modelPath}: kept candidate ${chosen.index + 1} of ${tried} tried (${candidates.length} given):`
    + ` ${comparableSteps} of ${steps} steps with margin >= ${minMarginWanted}`);
const logits = await firstLogits(context, prompt);
if (logits.indexOf(logits.reduce((a, b) => Math.max(a, b))) !== greedy[0]) {
    fail(`the full logits' argmax differs from the first greedy id ${greedy[0]}`);
}

// cross-check: llama.cpp's own greedy sampler (temperature 0) on a fresh sequence gives the same ids
const check = context.getSequence();
const sampled = [];
for await (const token of check.evaluate(prompt, {temperature: 0, yieldEogToken: true})) {
    sampled.push(token);
    if (sampled.length === steps) {
        break;
    }
}
check.dispose();
if (sampled.join(",") !== greedy.join(",")) {
    fail(`llama.cpp's greedy sampler (${sampled}) differs from the argmax of its logits (${greedy})`);
}

const order = [...logits.keys()].sort((a, b) => logits[b] - logits[a] || a - b);
const stride = Math.max(1, Math.floor(logits.length / 256));
const sampledIds = [];
for (let id = 0; id < logits.length && sampledIds.length < 256; id += stride) {
    sampledIds.push(id);
}
const golden = {
    name: args.name ?? null,
    source: `node-llama-cpp ${args.nodeLlamaCpp ?? "3.22.1"} (llama.cpp ${llama.llamaCppRelease.repo} ${llama.llamaCppRelease.release}, ${llama.buildType} CPU build, 2 threads, F32 KV cache, no flash attention)`,
    model: {
        file: modelPath.split("/").pop(),
        sha256: createHash("sha256").update(readFileSync(modelPath)).digest("hex"),
        shape: args.shape ?? null,
        dtype: args.dtype ?? null,
        seed: args.seed === undefined ? null : Number(args.seed),
    },
    prompt,
    greedy,
    minMarginWanted,
    comparableSteps,
    minMargin: Math.min(...margins),
    margins,
    firstStep: {vocab: logits.length, ...summary(logits)},
};
if (args.reference !== undefined) {
    const refModel = await llama.loadModel({modelPath: args.reference});
    const refContext = await createContext(refModel, 2);
    const ref = await firstLogits(refContext, prompt);
    const refRun = await greedyRun(prompt, refContext);
    if (ref.length !== logits.length) {
        fail(`the reference has ${ref.length} logits, the model ${logits.length}`);
    }
    let maxAbsDiff = 0;
    for (let i = 0; i < ref.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ref[i] - logits[i]));
    }
    golden.reference = {
        file: args.reference.split("/").pop(),
        llamaCppMaxAbsDiff: maxAbsDiff,
        greedy: refRun.greedy,
        margins: refRun.margins,
        ...summary(ref),
    };
    console.error(`${args.name ?? modelPath}: llama.cpp vs reference: max |logit diff| ${maxAbsDiff.toFixed(5)}`);
    await refContext.dispose();
    await refModel.dispose();
}
// one line per number array, so the files diff well
const text = JSON.stringify(golden, null, 1).replace(/\[[-\d.e,\s]*\]/g, (a) => a.replace(/\s+/g, ""));
writeFileSync(required(args, "out"), text + "\n");
await context.dispose();
await model.dispose();
await llama.dispose();

/** A context on {@code m}: CPU, 2 threads, F32 KV cache, no flash attention (see above). */
async function createContext(m, sequences) {
    return m.createContext({
        contextSize: 512, batchSize: 512, threads: 2, sequences, flashAttention: false,
        experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
    });
}

/** The recorded first-step values of {@code v} (at the top-20 and sampled ids of the model's logits) and its statistics. */
function summary(v) {
    const max = v.reduce((a, b) => Math.max(a, b));
    let sum = 0;
    let sumSq = 0;
    let weight = 0;
    for (const x of v) {
        sum += x;
        sumSq += x * x;
        weight += Math.exp(x - max);
    }
    return {
        top: order.slice(0, 20).map((id) => [id, v[id]]),
        sampled: sampledIds.map((id) => [id, v[id]]),
        mean: sum / v.length,
        rms: Math.sqrt(sumSq / v.length),
        logSumExp: max + Math.log(weight),
    };
}

/**
 * Greedy continuation by argmax of llama.cpp's logits (top 2 per step); the ids and every step's margin, up to
 * {@code limit} steps or the first step whose margin is below {@code stopBelow} (included).
 */
async function greedyRun(prompt, ctx = context, stopBelow = -Infinity, limit = steps) {
    const sequence = ctx.getSequence();
    const want = {generateNext: {logits: {filter: {tokens: [], includeTop: 2}}}};
    let input = prompt.map((t, i) => i < prompt.length - 1 ? t : [t, want]);
    const greedy = [];
    const margins = [];
    while (greedy.length < limit) {
        const out = await sequence.controlledEvaluate(input);
        const [[top, topValue], [, secondValue]] = out[input.length - 1].next.logits.entries(); // highest first
        greedy.push(top);
        margins.push(topValue - secondValue);
        if (topValue - secondValue < stopBelow) {
            break;
        }
        input = [[top, want]];
    }
    sequence.dispose();
    return {greedy, margins};
}

/** The full logits vector after {@code prompt}: [vocab]. */
async function firstLogits(context, prompt) {
    const sequence = context.getSequence();
    const out = await sequence.controlledEvaluate(prompt.map((t, i) => i < prompt.length - 1
        ? t : [t, {generateNext: {logits: true}}]));
    const map = out[prompt.length - 1].next.logits;
    let vocab = 0;
    for (const token of map.keys()) {
        vocab = Math.max(vocab, token + 1);
    }
    const logits = new Float64Array(vocab);
    for (const [token, value] of map) {
        logits[token] = value;
    }
    sequence.dispose();
    return logits;
}

function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i += 2) {
        if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
            fail(`bad argument ${argv[i]}`);
        }
        out[argv[i].slice(2)] = argv[i + 1];
    }
    return out;
}

function required(a, key) {
    if (a[key] === undefined) {
        fail(`--${key} is required`);
    }
    return a[key];
}

function fail(message) {
    console.error(`llamacpp-goldens: error: ${message}`);
    process.exit(2);
}
