package io.starspark.driver.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starspark.model.LlamaConfig;
import io.starspark.workers.ModelRegistry;
import org.junit.jupiter.api.Test;

/** The cost model's calibration recovers the costs a timing was made of, and prices answers from them. */
class EstimateTest {
    private final LlamaConfig c = ModelRegistry.get(EvalCommandTest.STORIES).config();

    @Test
    void calibrationRecoversWorkAndStepCosts() {
        double k = Estimate.keysPerTokenWork(c);
        double perWork = 2e-6;
        double perStep = 3e-3;
        int tokens = 400;
        int generated = 17;
        double prefill = perWork * Estimate.work(tokens, 0, k);
        double decode = 16 * perStep + perWork * Estimate.work(16, tokens, k);
        Estimate e = Estimate.calibrate(c, tokens, prefill + decode, generated, decode);
        assertEquals(perWork, e.secondsPerWork(), 1e-15);
        assertEquals(perStep, e.secondsPerStep(), 1e-12);
        assertEquals(prefill + decode, e.full(tokens, generated), 1e-12, "the calibration answer prices as timed");
        // a star answer over 1000 keys: the question pass, then 9 steps after it
        assertEquals(Estimate.ANSWER_SECONDS + perWork * Estimate.work(5, 1000, k) + 9 * perStep
                + perWork * Estimate.work(9, 1005, k), e.answer(5, 1000, 10), 1e-12);
    }

    @Test
    void aTimedAnswerGivesTheOverheadBeyondItsWork() {
        double k = Estimate.keysPerTokenWork(c);
        Estimate e = Estimate.calibrate(c, 1024, 0.5, 1, 0);
        double work = e.secondsPerWork() * Estimate.work(3, 2048, k);
        assertEquals(0.3, e.withAnswerTimed(3, 2048, work + 0.3).answerSeconds(), 1e-12);
        assertEquals(0.3 + work, e.withAnswerTimed(3, 2048, work + 0.3).answer(3, 2048, 1), 1e-12);
        assertEquals(Estimate.ANSWER_SECONDS, e.withAnswerTimed(3, 2048, work).answerSeconds(), "never below the floor");
    }

    @Test
    void workPrefillAndSumsByHand() {
        assertEquals(10 * (1 + (100 + 5) / 50.0), Estimate.work(10, 100, 50), 1e-12);
        double k = Estimate.keysPerTokenWork(c);
        Estimate e = Estimate.calibrate(c, 1024, 0.5, 2, 0.1);
        // one decoding step: 0.1 s, of which its work over 1024 keys; the rest is the step's overhead
        assertEquals(0.1 - e.secondsPerWork() * (1 + (1024 + 0.5) / k), e.secondsPerStep(), 1e-12);
        // 1024 tokens in blocks of 256 (anchor 256) on 2 tasks at once: block 0 alone, 3 blocks after their anchor
        double blocks = 256 * (1 + 128 / k) + 3 * 256 * (1 + (256 + 128) / k);
        assertEquals(Estimate.PREFILL_JOB_SECONDS + e.secondsPerWork() * blocks / 2, e.prefill(1024, 256, 256, 2),
                1e-12);
        assertEquals(5.0, e.plus(2).plus(3).seconds(), 1e-12);
    }

    @Test
    void oneGeneratedTokenHasNoDecodingStep() {
        Estimate e = Estimate.calibrate(c, 1024, 0.5, 1, 0);
        assertEquals(0.0, e.secondsPerStep());
        assertEquals(0.5, e.full(1024, 0), 1e-12);
        assertEquals(0.5, e.full(1024, 1), 1e-12);
    }
}
