/**
 * K/V of prefilled documents on a Hadoop file system (or in memory), in pages, with Quest summaries.
 *
 * <pre>
 * KvLayout layout = new KvLayout(layers, kvHeads, headDim, pageSize, KvDtype.F16);
 * // executor, per block b of a StarPlan (one store per task; close it):
 * try (KvStore store = HadoopKvStore.open(URI.create("hdfs://nn:8020/kv/doc-1"), hadoopConf, layout, cacheBytes)) {
 *     store.writeBlock(b.index(), b.start(), new BlockKv(b.keptLength(), k, v));
 * }
 * // driver, after all tasks succeeded:
 * store.commit(Manifest.of(docId, modelSha256, layout, plan, contextTokens, "starspark 0.1"));
 * // a later driver:
 * store.readManifest().orElseThrow().requireCompatible(expectedManifest, store.root());
 * PageSummaries[] summaries = store.readSummaries();   // per layer, all pages
 * PageKv pages = store.readPages(layer, new int[] {0, 17, 42});   // or store.readAll(layer)
 * </pre>
 */
package io.starspark.kv;
