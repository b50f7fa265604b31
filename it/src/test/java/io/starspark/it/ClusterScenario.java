package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/**
 * The cluster self-check scenario, shared by the standalone-JVM IT and the docker compose IT:
 * submit {@code starspark cluster-check} (4 tasks summing 1..1000) and check that every executor
 * took part and the sum is right.
 */
final class ClusterScenario {

    static final String MAIN_CLASS = "io.starspark.driver.Main";
    static final int TASKS = 4;
    static final long NUMBERS = 1000;

    private ClusterScenario() {
    }

    /** The application arguments after the jar. */
    static List<String> args(int executors) {
        return List.of("cluster-check", "--tasks", Integer.toString(TASKS), "--numbers", Long.toString(NUMBERS),
                "--expect-executors", Integer.toString(executors), "--json", "-c", "spark.starspark.kernels=java");
    }

    /** Checks the JSON line cluster-check printed and returns it. */
    static JsonNode verify(String stdout, int executors) throws IOException {
        String line = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON result on stdout:\n" + stdout));
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals(NUMBERS * (NUMBERS + 1) / 2, json.get("sum").asLong(), line);
        assertEquals(TASKS, json.get("tasks").asInt(), line);
        assertEquals(executors, json.get("executors").asInt(), "distinct executors that ran tasks: " + line);
        assertTrue(json.get("master").asText().startsWith("spark://"), line);
        assertEquals("[\"java\"]", json.get("kernelsOnExecutors").toString(), "setting seen on executors: " + line);
        long count = 0;
        for (JsonNode report : json.get("reports")) {
            assertTrue(!"driver".equals(report.get("executorId").asText()), "a task ran on the driver: " + line);
            count += report.get("count").asLong();
        }
        assertEquals(NUMBERS, count, line);
        return json;
    }
}
