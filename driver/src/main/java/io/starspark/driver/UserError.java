package io.starspark.driver;

/**
 * A problem the user can fix (bad flag, missing file, bad setting). The CLI prints its message as
 * one line {@code starspark: error: <message>} and exits with code 2, without a stack trace.
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
