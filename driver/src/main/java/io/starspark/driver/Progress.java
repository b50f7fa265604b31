package io.starspark.driver;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Console progress of a batch: phase 1 (one Spark job for every document: tasks done/total, tokens/s and
 * ETA, and a line per document when its last block is done), then answers done/total. Follows the Spark
 * jobs by their job groups ({@link #PHASE1}, {@link #ANSWERS}) through a listener on the driver, so what it
 * prints is what the Spark UI shows; a phase-1 task is mapped to its document by its partition index.
 */
class Progress extends SparkListener {
    static final Progress SILENT = new Progress(null);
    /** The job group of reading and tokenizing the documents ({@link DocumentTask}). */
    static final String DOCUMENTS = "starspark-documents";
    static final String PHASE1 = "starspark-phase1";
    static final String ANSWERS = "starspark-answers";

    private final PrintWriter err;
    private final Map<Integer, String> groupOfStage = new ConcurrentHashMap<>();
    private final AtomicInteger phase1Done = new AtomicInteger();
    private final AtomicInteger answersDone = new AtomicInteger();
    private volatile Phase1 phase1;
    private volatile int answersTotal;

    /**
     * The documents of the phase-1 job.
     *
     * @param ids         [documents] printable ids
     * @param docOfTask   [partitions] document index of each task
     * @param tasksLeft   [documents] tasks not yet done
     */
    private record Phase1(List<String> ids, long tokens, int[] docOfTask, AtomicIntegerArray tasksLeft,
                          long startNanos) {
    }

    /** @param err where progress lines go, or null for none */
    Progress(PrintWriter err) {
        this.err = err;
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

    /**
     * Phase 1 is about to run.
     *
     * @param ids       [documents] printable ids of the documents of the job
     * @param docOfTask [partitions] the document of each task of the job
     */
    void phase1Planned(List<String> ids, long tokens, int blocks, int[] docOfTask) {
        int[] left = new int[ids.size()];
        for (int d : docOfTask) {
            left[d]++;
        }
        phase1Done.set(0);
        phase1 = new Phase1(List.copyOf(ids), tokens, docOfTask.clone(), new AtomicIntegerArray(left), System.nanoTime());
        print(String.format(Locale.ROOT, "phase 1: %d documents, %d tokens in %d blocks, %d tasks", ids.size(), tokens,
                blocks, docOfTask.length));
    }

    void answersStarted(int questions) {
        answersDone.set(0);
        answersTotal = questions;
        print("answers: 0/" + questions);
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String group = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
        if (group == null) {
            return;
        }
        for (int i = 0; i < job.stageInfos().size(); i++) {
            groupOfStage.put(job.stageInfos().apply(i).stageId(), group);
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        String group = groupOfStage.get(task.stageId());
        if (group == null || !"Success".equals(task.reason().toString())) {
            return;
        }
        if (group.equals(ANSWERS)) {
            long answered = 0;
            var updates = task.taskInfo().accumulables();
            for (int i = 0; i < updates.size(); i++) {
                var a = updates.apply(i);
                if (a.name().contains(AnswerTask.ANSWERED) && a.update().isDefined()) {
                    answered += ((Number) a.update().get()).longValue();
                }
            }
            print("answers: " + answersDone.addAndGet((int) answered) + "/" + answersTotal);
        } else if (group.equals(PHASE1) && phase1 != null) {
            Phase1 p = phase1;
            int index = task.taskInfo().index();
            if (index < 0 || index >= p.docOfTask().length) {
                return;
            }
            int doc = p.docOfTask()[index];
            int done = phase1Done.incrementAndGet();
            int total = p.docOfTask().length;
            double seconds = (System.nanoTime() - p.startNanos()) / 1e9;
            double fraction = done / (double) total;
            print(String.format(Locale.ROOT, "phase 1: %d/%d tasks, %.0f tokens/s, ETA %.1fs", done, total,
                    p.tokens() * fraction / seconds, seconds / fraction - seconds));
            if (p.tasksLeft().decrementAndGet(doc) == 0) {
                print(String.format(Locale.ROOT, "phase 1 '%s' done after %.1fs", p.ids().get(doc), seconds));
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
