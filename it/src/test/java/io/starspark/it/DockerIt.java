package io.starspark.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * What the Docker ITs share, whether they drive docker/compose.yml with the compose CLI ({@link ComposeProject}) or
 * start containers from Java ({@link DockerTestcontainersIT}): the {@code STARSPARK_DOCKER_IT} contract, the image
 * compose.yml names, the cluster's shared secret and the /data folder that the containers (uid 10001) write to.
 */
final class DockerIt {
    /** How long one Docker command (a build, a submit, a {@code docker compose} call) may take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
    /** The containers' user (docker/Dockerfile): what they write on a mounted /data belongs to it. */
    static final String CONTAINER_UID = "10001";
    /**
     * A command for a container of the image: makes what the containers wrote under /data writable for everyone, so
     * that a non-root user can read it and the next run's {@link Project#freshDir} can delete it.
     */
    static final List<String> RELEASE_DATA = List.of("find", "/data", "-user", CONTAINER_UID, "-exec", "chmod",
            "a+rwX", "{}", "+");
    private static final Pattern IMAGE = Pattern.compile("^\\s*image:\\s*(\\S+)\\s*$", Pattern.MULTILINE);

    private DockerIt() {
    }

    /** What is wrong with the Docker engine as one IT reaches it; null when it answers. */
    interface EngineCheck {
        String problem() throws IOException, InterruptedException;
    }

    /**
     * Whether a Docker IT runs. {@code STARSPARK_DOCKER_IT=required} (set by .ci/run once docker/setup-engine.sh made
     * the engine ready): an engine that {@code check} finds wrong FAILS the test. {@code skip} (.ci/run, where
     * setup-engine.sh found that no engine can exist here and printed why): skipped. Unset (a user's
     * {@code mvn verify}): run when {@code check} finds nothing wrong, else skipped with the reason.
     */
    static void require(EngineCheck check) throws IOException, InterruptedException {
        String mode = System.getenv().getOrDefault("STARSPARK_DOCKER_IT", "");
        if (mode.equals("skip")) {
            skip("STARSPARK_DOCKER_IT=skip: docker/setup-engine.sh found that no Docker engine can run here");
        }
        if (!mode.isEmpty() && !mode.equals("required")) {
            throw new IllegalStateException("STARSPARK_DOCKER_IT must be required, skip or unset, not " + mode);
        }
        String problem = check.problem();
        if (problem == null) {
            return;
        }
        if (mode.equals("required")) {
            throw new AssertionError("STARSPARK_DOCKER_IT=required but " + problem);
        }
        skip(problem + " (run docker/setup-engine.sh, see README)");
    }

    private static void skip(String why) {
        System.out.println("Docker IT skipped: " + why);
        Assumptions.abort(why);
    }

    /** A fresh 256-bit {@code STARSPARK_AUTH_SECRET}, hex. */
    static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** An empty it/target/it/NAME/data for /data, writable by the containers' uid as well as whoever runs Maven. */
    static Path freshData(String name) throws IOException {
        Path data = Project.freshDir(name).resolve("data");
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        return data;
    }

    /** Whether {@link #RELEASE_DATA} must run before the containers go: root reads and deletes anything anyway. */
    static boolean mustReleaseData() {
        return !"root".equals(System.getProperty("user.name"));
    }

    /** The one image docker/compose.yml names for every service (its {@code image:}), e.g. starspark:dev. */
    static String composeImage() throws IOException {
        Path compose = Project.root().resolve("docker/compose.yml");
        Matcher m = IMAGE.matcher(Files.readString(compose));
        if (!m.find()) {
            throw new IllegalStateException("no image: line in " + compose);
        }
        String image = m.group(1);
        while (m.find()) {
            if (!m.group(1).equals(image)) {
                throw new IllegalStateException(compose + " names two images, " + image + " and " + m.group(1));
            }
        }
        return image;
    }
}
