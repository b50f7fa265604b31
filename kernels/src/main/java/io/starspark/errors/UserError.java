package io.starspark.errors;

/**
 * A problem the user can fix (bad flag, missing or malformed input file, bad setting, unusable model
 * file, bad K/V location). Thrown only where input enters (CLI options, settings, the Star plan, input
 * and model files, the K/V store); the CLI prints its message as one line
 * {@code starspark: error: <message>} and exits with code 2, without a stack trace, also when it was
 * thrown inside a Spark task. Every other exception ({@link IllegalArgumentException},
 * {@link IllegalStateException}, ...) is a bug: stack trace and exit code 1.
 *
 * <p>It lives in the lowest module (kernels' jar, its own package with no dependencies) so that every
 * module can throw it.
 */
public class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
