package io.starspark.driver;

import picocli.CommandLine.Option;

/** {@code -h/--help} for a subcommand (the top command has picocli's standard help and version options). */
final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
