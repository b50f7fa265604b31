package io.starspark.driver;

import io.starspark.kv.KvStoreException;
import io.starspark.model.ModelFormatException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How the CLI ends: user errors give one line on stderr and exit code 2; anything else is a bug
 * and prints its stack trace with exit code 1.
 */
public final class ErrorContract {

    public static final int EXIT_OK = 0;
    public static final int EXIT_BUG = 1;
    public static final int EXIT_USER = 2;
    public static final String PREFIX = "starspark: error: ";

    /** Exception types that mean "the input is wrong"; model format errors are added here when wired in. */
    static final List<Class<? extends Throwable>> USER_ERROR_TYPES = List.of(
            UserError.class, IllegalArgumentException.class, ModelFormatException.class, KvStoreException.class);

    private ErrorContract() {
    }

    /** Prints the exception as the contract says and returns the exit code. */
    public static int report(Throwable thrown, PrintWriter err) {
        Throwable t = unwrap(thrown);
        if (isUserError(t)) {
            err.println(PREFIX + oneLine(t));
            err.flush();
            return EXIT_USER;
        }
        t.printStackTrace(err);
        err.flush();
        return EXIT_BUG;
    }

    /** A user-error message for picocli's own parse errors (unknown option, missing value...). */
    public static int reportUsage(String message, String commandName, PrintWriter err) {
        err.println(PREFIX + oneLine(message) + " (see '" + commandName + " --help')");
        err.flush();
        return EXIT_USER;
    }

    static boolean isUserError(Throwable t) {
        return USER_ERROR_TYPES.stream().anyMatch(type -> type.isInstance(t));
    }

    /** Strips reflective and concurrent wrappers, which carry no meaning of their own. */
    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && (current instanceof ExecutionException
                || current instanceof CompletionException || current instanceof InvocationTargetException
                || current instanceof UndeclaredThrowableException)) {
            current = current.getCause();
        }
        return current;
    }

    static String oneLine(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : oneLine(t.getMessage());
    }

    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
