package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LocationsTest {

    @Test
    void urisAndPaths() {
        String[][] cases = { // location, isUri, isNonFileUri
            {"hdfs://nn:8020/m.gguf", "true", "true"},
            {"s3a://bucket/kv", "true", "true"},
            {"file:/models/m.gguf", "true", "false"},
            {"file:///models/m.gguf", "true", "false"},
            {"/models/m.gguf", "false", "false"},
            {"models/m.gguf", "false", "false"},
            {"C:\\models\\m.gguf", "false", "false"},
            {"3d:/x", "false", "false"},
            {"a+b.c-d:x", "true", "true"},
        };
        for (String[] c : cases) {
            assertEquals(Boolean.parseBoolean(c[1]), Locations.isUri(c[0]), c[0]);
            assertEquals(Boolean.parseBoolean(c[2]), Locations.isNonFileUri(c[0]), c[0]);
        }
    }
}
