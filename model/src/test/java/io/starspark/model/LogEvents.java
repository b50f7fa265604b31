package io.starspark.model;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The WARN-and-above lines one class logs (through SLF4J to Log4j 2, the tests' binding) while it is open: a logger
 * config of its own for that class, with an appender that keeps each event's formatted message, removed again on
 * {@link #close()}. Events still reach the parent loggers (the console), since the config is additive.
 * Shared through the model test-jar (driver tests use it too).
 */
public final class LogEvents implements AutoCloseable {
    private final LoggerContext context;
    private final String name;
    private final AbstractAppender appender;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    private LogEvents(Class<?> logger) {
        this.context = (LoggerContext) LogManager.getContext(false);
        this.name = logger.getName();
        Configuration config = context.getConfiguration();
        if (config.getLoggers().containsKey(name)) {
            throw new IllegalStateException("the log configuration already has a logger " + name
                + ": capturing it would replace that logger's settings");
        }
        this.appender = new AbstractAppender("captured " + name, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerConfig own = new LoggerConfig(name, Level.WARN, true);
        own.addAppender(appender, Level.WARN, null);
        config.addLogger(name, own);
        context.updateLoggers();
    }

    /** Starts keeping the WARN, ERROR and FATAL messages of the logger named after {@code logger}. */
    public static LogEvents warnings(Class<?> logger) {
        return new LogEvents(logger);
    }

    /** The messages so far, oldest first. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(name);
        context.updateLoggers();
        appender.stop();
    }
}
