package dev.mailflow.app;

/**
 * A configuration problem, told in one line: {@code file:line: key: what is wrong}.
 */
public final class ConfigException extends Exception {

    private final String source;
    private final int line;
    private final String key;
    private final String problem;

    public ConfigException(String source, int line, String key, String problem) {
        super(format(source, line, key, problem));
        this.source = source;
        this.line = line;
        this.key = key;
        this.problem = problem;
    }

    private static String format(String source, int line, String key, String problem) {
        var sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (key != null && !key.isEmpty()) {
            sb.append(key).append(": ");
        }
        return sb.append(problem).toString();
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
