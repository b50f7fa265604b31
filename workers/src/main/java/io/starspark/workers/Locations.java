package io.starspark.workers;

import java.util.regex.Pattern;

/**
 * What a user-given location (model, context file, batch input/output, K/V dir) is: a URI or a local path.
 * One definition of "has a URI scheme" for the driver and the workers. A scheme is a letter followed by at
 * least one more scheme character and a colon, so a Windows drive ({@code C:\x}) stays a path.
 */
public final class Locations {

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

    private Locations() {
    }

    /** True for any URI, {@code file:} included ({@code hdfs://nn/x}, {@code file:/x}); false for a plain path. */
    public static boolean isUri(String location) {
        return SCHEME.matcher(location).matches();
    }

    /** True for a URI that a Hadoop FileSystem other than the local one serves: any scheme but {@code file:}. */
    public static boolean isNonFileUri(String location) {
        return isUri(location) && !location.startsWith("file:");
    }
}
