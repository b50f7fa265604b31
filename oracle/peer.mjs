// llama.cpp's side of the peer benchmark (bench/run-peer.sh): one prefill of the prompt ids and DECODE greedy steps
// on MODEL.gguf with THREADS threads, in this fresh process; prints one JSON line like io.starspark.bench.PeerMain.
// Usage: node oracle/peer.mjs MODEL.gguf IDS.json DECODE THREADS
//        node oracle/peer.mjs table RAW.jsonl   (medians per model × engine × mode, ratios, as a Markdown table)
import { getLlama } from "node-llama-cpp";
import fs from "node:fs";
import path from "node:path";

if (process.argv[2] === "table") {
    table(process.argv[3]);
} else {
    await run(process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
}

async function run(modelPath, idsFile, decode, threads) {
    const ids = JSON.parse(fs.readFileSync(idsFile, "utf8"));
    const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({
        contextSize: ids.length + decode + 16, batchSize: ids.length, threads, flashAttention: false,
    });
    const seq = context.getSequence();
    // temperature 0: greedy; the first token comes after the whole prompt is evaluated (the prefill),
    // every later one after one single-token step (decode)
    const gen = seq.evaluate(ids, { temperature: 0 });
    const tokens = [];
    const t0 = process.hrtime.bigint();
    let t1 = t0;
    for await (const token of gen) {
        tokens.push(token);
        if (tokens.length === 1) {
            t1 = process.hrtime.bigint();
        }
        if (tokens.length === decode + 1) {
            break;
        }
    }
    const t2 = process.hrtime.bigint();
    const sec = (a, b) => Number(b - a) / 1e9;
    console.log(JSON.stringify({
        engine: "llama.cpp", mode: "cold", model: path.basename(modelPath), prompt: ids.length, decode,
        prefill_tok_s: +(ids.length / sec(t0, t1)).toFixed(2), decode_tok_s: +(decode / sec(t1, t2)).toFixed(2),
        tokens,
    }));
    await context.dispose();
    await model.dispose();
}

function table(rawFile) {
    const raw = fs.readFileSync(rawFile, "utf8").split("\n");
    const rows = raw.filter((l) => l.startsWith("{\"engine\"")).map((l) => JSON.parse(l));
    const median = (xs) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    const models = [...new Set(rows.map((r) => r.model))];
    const pick = (model, engine, mode, key) => {
        const xs = rows.filter((r) => r.model === model && r.engine === engine && r.mode === mode).map((r) => r[key]);
        return xs.length ? median(xs) : NaN;
    };
    const f = (x) => (Number.isNaN(x) ? "-" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
    // the machine's limits, measured in the same rounds (PeerMain machine): medians over rounds
    const machine = raw.filter((l) => l.startsWith("{\"fma_gflops\"")).map((l) => JSON.parse(l));
    const fma = machine.length ? median(machine.map((m) => m.fma_gflops)) : NaN;
    const triad = machine.length ? median(machine.map((m) => m.triad_gbs)) : NaN;
    // starspark's prefill GFLOP/s as % of the FMA peak (the rounds' median), its decode's streamed GB/s as % of the triad
    const pct = (x) => (Number.isFinite(x) ? `${x.toFixed(0)}%` : "-");
    // a / b to two places, "-" where either is missing (e.g. no llama.cpp runs with --warm-only)
    const ratio = (a, b) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : "-");
    const lines = ["| model | case | starspark prefill | llama.cpp prefill | ratio | prefill % of FMA peak"
        + " | starspark decode | llama.cpp decode | ratio | decode GB/s (% of triad) | same tokens | rounds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"];
    for (const model of models) {
        const lc = rows.filter((r) => r.model === model && r.engine === "llama.cpp");
        for (const mode of ["warm", "cold", ...new Set(rows.map((r) => r.mode).filter((m) => m.startsWith("warm-")))]) {
            const ss = rows.filter((r) => r.model === model && r.engine === "starspark" && r.mode === mode);
            if (!ss.length) {
                continue;
            }
            const sp = pick(model, "starspark", mode, "prefill_tok_s"), lp = pick(model, "llama.cpp", "cold", "prefill_tok_s");
            const sd = pick(model, "starspark", mode, "decode_tok_s"), ld = pick(model, "llama.cpp", "cold", "decode_tok_s");
            // first generated token positions where the engines agree (random-weight models: near-ties may differ)
            let same = "-";
            if (lc.length) {
                const a = ss[0].tokens, b = lc[0].tokens;
                let n = 0;
                while (n < Math.min(a.length, b.length) && a[n] === b[n]) {
                    n++;
                }
                same = `${n}/${Math.min(a.length, b.length)}`;
            }
            const gflop = ss[0].prefill_gflop / ss[0].prompt;
            // each run's decode GB/s against the triad its own process measured right after it (older lines: the
            // rounds' median), then the median over runs
            const gbs = median(ss.map((r) => r.decode_tok_s * r.decode_mb_per_token / 1e3));
            const ofTriad = median(ss.map((r) => 100 * r.decode_tok_s * r.decode_mb_per_token / 1e3 / (r.triad_gbs ?? triad)));
            lines.push(`| ${model} | ${mode} | ${f(sp)} | ${f(lp)} | ${ratio(sp, lp)} | ${pct(100 * sp * gflop / fma)}`
                + ` | ${f(sd)} | ${f(ld)} | ${ratio(sd, ld)} | ${Number.isFinite(gbs) ? `${gbs.toFixed(1)} (${pct(ofTriad)})` : "-"}`
                + ` | ${same} | ${ss.length} |`);
        }
    }
    const befores = [...new Set(rows.map((r) => r.mode).filter((m) => m.startsWith("warm-")))];
    for (const b of befores) {
        lines.push("", `| model | prefill warm / ${b} | decode warm / ${b} | rounds |`, "|---|---|---|---|");
        for (const model of models) {
            const n = rows.filter((r) => r.model === model && r.mode === b).length;
            lines.push(`| ${model} | ${ratio(pick(model, "starspark", "warm", "prefill_tok_s"), pick(model, "starspark", b, "prefill_tok_s"))}`
                + ` | ${ratio(pick(model, "starspark", "warm", "decode_tok_s"), pick(model, "starspark", b, "decode_tok_s"))} | ${n} |`);
        }
    }
    console.log(lines.join("\n"));
}
