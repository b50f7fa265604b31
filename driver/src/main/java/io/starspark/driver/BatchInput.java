package io.starspark.driver;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.errors.UserError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads and validates the whole JSONL input of {@code starspark run} before any Spark work: one
 * object per line, {@code {"id": "...", "document": "...", "questions": ["...", ...], "chat": false}} ({@code chat}
 * optional: questions in the model's chat template, {@link Answerer#turn}). Blank lines
 * are skipped; every problem is a {@link UserError} naming the file and line.
 */
final class BatchInput {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private BatchInput() {
    }

    static List<BatchDocument> read(String location, Configuration hadoop) {
        String text = Texts.read(location, hadoop);
        String[] lines = text.split("\\R", -1);
        List<BatchDocument> docs = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            BatchDocument doc = parse(location, i + 1, lines[i]);
            Integer previous = firstLine.putIfAbsent(doc.id(), doc.line());
            if (previous != null) {
                throw problem(location, doc.line(), "duplicate id '" + doc.id() + "' (first on line " + previous + ")");
            }
            docs.add(doc);
        }
        if (docs.isEmpty()) {
            throw new UserError("input " + location + " has no rows");
        }
        return docs;
    }

    static BatchDocument parse(String location, int line, String row) {
        JsonNode node;
        try {
            node = JSON.readTree(row);
        } catch (JsonProcessingException e) {
            throw problem(location, line, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!node.isObject()) {
            throw problem(location, line, "not a JSON object");
        }
        String id = text(location, line, node, "id");
        String document = text(location, line, node, "document");
        JsonNode questions = node.get("questions");
        if (questions == null || !questions.isArray() || questions.isEmpty()) {
            throw problem(location, line, "\"questions\" must be a non-empty array of strings");
        }
        List<String> list = new ArrayList<>();
        for (int q = 0; q < questions.size(); q++) {
            JsonNode question = questions.get(q);
            if (!question.isTextual() || question.asText().isEmpty()) {
                throw problem(location, line, "questions[" + q + "] must be a non-empty string");
            }
            list.add(question.asText());
        }
        JsonNode chat = node.get("chat");
        if (chat != null && !chat.isBoolean()) {
            throw problem(location, line, "\"chat\" must be true or false");
        }
        return new BatchDocument(id, document, list, chat != null && chat.asBoolean(), line);
    }

    private static String text(String location, int line, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw problem(location, line, "missing \"" + field + "\"");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw problem(location, line, "\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    private static UserError problem(String location, int line, String what) {
        return new UserError(location + " line " + line + ": " + what);
    }
}
