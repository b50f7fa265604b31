package io.starspark.driver;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Console progress of a batch: per document, phase-1 tasks done/total with tokens/s and ETA, then answers
 * done/total. Follows the Spark jobs by their job groups ({@link #phase1Group}, {@code starspark-answers})
 * through a listener on the driver, so what it prints is what the Spark UI shows.
 */
class Progress extends SparkListener {
    static final Progress SILENT = new Progress(null);
    private static final String PHASE1 = "starspark-phase1-";
    private static final String ANSWERS = "starspark-answers";

    private final PrintWriter err;
    private final Map<Integer, String> groupOfStage = new ConcurrentHashMap<>();
    private final Map<String, Doc> docs = new ConcurrentHashMap<>();
    private final AtomicInteger answersDone = new AtomicInteger();
    private volatile int answersTotal;

    private record Doc(int tokens, int blocks, long startNanos, AtomicInteger done, AtomicInteger total) {
    }

    /** @param err where progress lines go, or null for none */
    Progress(PrintWriter err) {
        this.err = err;
    }

    static String phase1Group(String docId) {
        return PHASE1 + docId;
    }

    void attach(JavaSparkContext jsc) {
        if (err != null) {
            jsc.sc().addSparkListener(this);
        }
    }

    void detach(JavaSparkContext jsc) {
        if (err != null) {
            jsc.sc().removeSparkListener(this);
        }
    }

    void phase1Started(String docId, int tokens, int blocks) {
        docs.put(docId, new Doc(tokens, blocks, System.nanoTime(), new AtomicInteger(), new AtomicInteger()));
        print(String.format(Locale.ROOT, "phase 1 '%s': %d tokens in %d blocks", docId, tokens, blocks));
    }

    void answersStarted(int questions) {
        answersTotal = questions;
        print("answers: 0/" + questions);
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String group = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
        if (group == null) {
            return;
        }
        int tasks = 0;
        for (int i = 0; i < job.stageInfos().size(); i++) {
            var stage = job.stageInfos().apply(i);
            groupOfStage.put(stage.stageId(), group);
            tasks += stage.numTasks();
        }
        Doc d = group.startsWith(PHASE1) ? docs.get(group.substring(PHASE1.length())) : null;
        if (d != null) {
            d.total().addAndGet(tasks);
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        String group = groupOfStage.get(task.stageId());
        if (group == null || !"Success".equals(task.reason().toString())) {
            return;
        }
        if (group.equals(ANSWERS)) {
            print("answers: " + answersDone.incrementAndGet() + "/" + answersTotal);
        } else if (group.startsWith(PHASE1)) {
            String id = group.substring(PHASE1.length());
            Doc d = docs.get(id);
            if (d != null) {
                int done = d.done().incrementAndGet();
                int total = Math.max(done, d.total().get());
                double seconds = (System.nanoTime() - d.startNanos()) / 1e9;
                double fraction = done / (double) total;
                print(String.format(Locale.ROOT, "phase 1 '%s': %d/%d tasks (%d blocks), %.0f tokens/s, ETA %.1fs",
                        id, done, total, d.blocks(), d.tokens() * fraction / seconds,
                        seconds / fraction - seconds));
            }
        }
    }

    private void print(String line) {
        if (err != null) {
            synchronized (err) {
                err.println("starspark: " + line);
                err.flush();
            }
        }
    }
}
