package dev.mailflow.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code mailflow serve} in a process of its own (same classes as the test), for what an
 * in-process server cannot show: kill -9, signals, exit codes.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTEN = Pattern.compile("\\s+(.+): SMTP on ([0-9.]+):(\\d+) .*");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final java.util.Map<String, Integer> ports = new java.util.HashMap<>();

    private ServerProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code mailflow serve --config file} and waits until it listens. */
    public static ServerProcess start(Path config) throws Exception {
        return start(config, List.of(), env -> { });
    }

    /**
     * Starts {@code mailflow serve --config file} with {@code prefix} in front of the java
     * command (a shell that prepares the environment, say) and the environment changed by
     * {@code environment}, and waits until it listens.
     */
    public static ServerProcess start(Path config, List<String> prefix,
                                      java.util.function.Consumer<java.util.Map<String, String>> environment)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(prefix);
        command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.mailflow.app.Main",
                "serve", "--config", config.toString()));
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        environment.accept(pb.environment());
        var sp = new ServerProcess(pb.start());
        var ready = new CompletableFuture<Void>();
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(sp.process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (sp.output) {
                        sp.output.add(line);
                    }
                    var m = LISTEN.matcher(line);
                    if (m.matches()) {
                        sp.ports.put(m.group(1), Integer.parseInt(m.group(3)));
                    }
                    if (line.startsWith("Stop with")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // process ended
            }
            ready.complete(null);
        });
        ready.get(30, TimeUnit.SECONDS);
        if (!sp.process.isAlive()) {
            throw new AssertionError("mailflow serve ended at start:\n" + sp.output());
        }
        return sp;
    }

    public int port(String connector) {
        Integer p = ports.get(connector);
        if (p == null) {
            throw new AssertionError("no port for " + connector + " in:\n" + output());
        }
        return p;
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, as a crash. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, and the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("mailflow serve did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
