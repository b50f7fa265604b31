package io.starspark.driver;

import io.starspark.errors.UserError;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkException;

/**
 * How the CLI ends: a {@link UserError} (its subclasses {@code ModelFormatException} and
 * {@code KvStoreException} included) gives one line on stderr and exit code 2; anything else, an
 * {@link IllegalArgumentException} included, is a bug and prints its stack trace with exit code 1.
 * Wrappers are looked through first, {@link SparkException} among them: a user error thrown inside a
 * Spark task reaches the driver as the cause of the job's {@code SparkException}.
 */
public final class ErrorContract {

    public static final int EXIT_OK = 0;
    public static final int EXIT_BUG = 1;
    public static final int EXIT_USER = 2;
    public static final String PREFIX = "starspark: error: ";

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
        thrown.printStackTrace(err); // the whole chain: wrappers (a Spark job's stage, task) say where it broke
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
        return t instanceof UserError;
    }

    /** Strips reflective, concurrent and Spark job wrappers, which carry no meaning of their own. */
    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && (current instanceof ExecutionException
                || current instanceof CompletionException || current instanceof InvocationTargetException
                || current instanceof UndeclaredThrowableException || current instanceof SparkException)) {
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
