package io.starspark.driver;

import io.starspark.errors.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import io.starspark.workers.Locations;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Reads user text files (local paths or Hadoop FileSystem URIs) as strict UTF-8. */
public final class Texts {
    private Texts() {
    }

    public static String read(String location, Configuration hadoop) {
        byte[] bytes = readBytes(location, hadoop);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UserError(location + " is not valid UTF-8 text");
        }
    }

    private static byte[] readBytes(String location, Configuration hadoop) {
        try {
            if (!Locations.isUri(location)) {
                Path p = Path.of(location);
                if (Files.isDirectory(p)) {
                    throw new UserError(location + " is a directory, not a text file");
                }
                return Files.readAllBytes(p);
            }
            URI uri = URI.create(location);
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = path.getFileSystem(hadoop);
            if (!fs.exists(path)) {
                throw new UserError("file not found: " + location);
            }
            try (InputStream in = fs.open(path); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
                in.transferTo(out);
                return out.toByteArray();
            }
        } catch (NoSuchFileException e) {
            throw new UserError("file not found: " + location);
        } catch (IOException e) {
            throw new UserError("cannot read " + location + ": " + e.getMessage());
        } catch (IllegalArgumentException e) { // Path.of, URI.create, Hadoop's Path: the location itself is malformed
            throw new UserError(location + " is not a valid path or URI: " + e.getMessage(), e);
        }
    }

    /**
     * {@code text} safe for one log or error line: control characters (NUL, escape, line breaks...) become
     * {@code \\uXXXX}, so an id or a message from a user's file cannot forge or garble terminal output.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
