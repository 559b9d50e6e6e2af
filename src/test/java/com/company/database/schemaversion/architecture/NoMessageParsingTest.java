package com.company.database.schemaversion.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No class of the type, nor of the local runner, decides anything by reading an exception's message: conditions are told by types, SQLSTATEs,
 * error codes and what the engine observes, and advice by the facts a failure carries. The scan finds a message
 * (getMessage(), a variable named like one, or a variable assigned from one) handed to a text test (contains,
 * matches, replace...) in the same statement or later in the same method.
 */
class NoMessageParsingTest {
    /** The type's code and the local runner's (the CLI, its emulated services and the release command). */
    private static final List<Path> ROOTS = List.of(Path.of("src/main/java"), Path.of("src/local/java"));
    /**
     * The conditions a service says only in words, each recognised in one named method (see its comment): file and
     * method.
     */
    private static final Set<String> ISOLATED = Set.of(
            "com/company/database/schemaversion/aws/LambdaErrors.java#roleNotYetAssumable",
            "com/company/database/schemaversion/aws/LambdaRunnerEngine.java#timedOut");
    private static final String TEXT_TESTS = "contains|matches|startsWith|endsWith|indexOf|lastIndexOf|equals"
            + "|equalsIgnoreCase|replace|replaceFirst|replaceAll|split|matcher";
    private static final Pattern MESSAGE = Pattern.compile("(getMessage|getLocalizedMessage|errorMessage)\\(\\)"
            + "|message\\(\\w+\\)|\\b\\w*[mM]essage\\b(?!\\s*\\()");
    /** A variable and what it is assigned: the rest of the statement ("==" is a comparison, not an assignment). */
    private static final Pattern ASSIGNED = Pattern.compile("(\\w+)\\s*=(?!=)\\s*([^;]*)");
    /** A method's declaration: modifiers, a return type (generic or array), a name that is not a keyword, '('. */
    private static final Pattern METHOD = Pattern.compile("^\\s*(?:(?:public|protected|private|static|final|synchronized"
            + "|abstract|default)\\s+)*(?:<[^>]*>\\s+)?(?!return\\b|new\\b|throw\\b|else\\b)[\\w.]+(?:<.*>)?(?:\\[])*"
            + "\\s+(?!if\\b|for\\b|while\\b|switch\\b|catch\\b|synchronized\\b)(\\w+)\\s*\\([^;=]*$");

    @Test
    void noClassDecidesByAnExceptionsMessage() throws IOException {
        List<String> found = new ArrayList<>();
        int scanned = 0;
        for (Path root : ROOTS) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    scanned++;
                    String relative = root.relativize(file).toString().replace('\\', '/');
                    for (Hit hit : scan(Files.readString(file))) {
                        String where = relative + "#" + hit.method();
                        if (!ISOLATED.contains(where)) {
                            found.add(root + "/" + relative + ":" + hit.line() + " (" + hit.method() + "): " + hit.code());
                        }
                    }
                }
            }
        }
        assertThat(scanned).as("files scanned").isGreaterThan(100);
        assertThat(found).as("decisions on message text").isEmpty();
    }

    @Test
    void theScanFindsEachWayOfReadingAMessage() {
        assertThat(scan("""
                class A {
                    static boolean locked(Exception e) {
                        return e.getMessage().contains("advisory lock");
                    }
                }
                """)).extracting(Hit::method).containsExactly("locked");
        assertThat(scan("""
                class A {
                    private static String tls(Throwable c) {
                        String m = c.getMessage() == null ? "" : c.getMessage();
                        if (m.contains("does not support SSL")) {
                            return "x";
                        }
                        return null;
                    }
                }
                """)).extracting(Hit::method).containsExactly("tls");
        assertThat(scan("""
                class A {
                    String rewrite(String reason, RuntimeException e) {
                        String text = e.getMessage();
                        return text.replaceFirst("In Direct mode", "In VpcRunner mode");
                    }
                }
                """)).extracting(Hit::method).containsExactly("rewrite");
        assertThat(scan("""
                class A {
                    void apply(RuntimeException e) {
                        if (String.valueOf(e.getMessage())
                                .contains("but no schema history table")) {
                            throw e;
                        }
                    }
                }
                """)).extracting(Hit::method).containsExactly("apply");
        assertThat(scan("""
                class A {
                    private RuntimeException failure(SdkException e) {
                        String m = String.valueOf(e.getMessage());
                        if (e instanceof SdkClientException && m.contains("credentials")) {
                            return new IllegalStateException("no credentials");
                        }
                        return null;
                    }
                }
                """)).as("a client error told by its words").extracting(Hit::method).containsExactly("failure");
        assertThat(scan("""
                class A {
                    private String refused(AwsServiceException ase) {
                        String m = ase.awsErrorDetails() == null ? ""
                                : String.valueOf(ase.awsErrorDetails().errorMessage()).toLowerCase(Locale.ROOT);
                        if (m.contains("in progress")) {
                            return "busy";
                        }
                        return null;
                    }
                }
                """)).as("a service's answer told by its words").extracting(Hit::method).containsExactly("refused");
        assertThat(scan("""
                class A {
                    String shown(RuntimeException e) {
                        return "Failed: " + e.getMessage() + ".";
                    }
                }
                """)).as("showing a message is not deciding by it").isEmpty();
    }

    record Hit(int line, String method, String code) {
    }

    /** Statements (text up to ';', '{' or '}') that test message text, directly or through a variable. */
    static List<Hit> scan(String source) {
        List<Hit> hits = new ArrayList<>();
        Set<String> fromMessages = new HashSet<>();
        String method = "?";
        int line = 1;
        StringBuilder statement = new StringBuilder();
        int statementLine = 1;
        for (String text : source.split("\n", -1)) {
            Matcher declared = METHOD.matcher(text);
            if (declared.find()) {
                method = declared.group(1);
                fromMessages.clear();
            }
            String code = text.replaceAll("//.*", "").replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
            if (statement.length() == 0) {
                statementLine = line;
            }
            for (char ch : code.toCharArray()) {
                statement.append(ch);
                if (ch == ';' || ch == '{' || ch == '}') {
                    check(statement.toString(), statementLine, method, fromMessages, hits);
                    statement.setLength(0);
                    statementLine = line;
                }
            }
            statement.append(' ');
            line++;
        }
        return hits;
    }

    private static void check(String statement, int line, String method, Set<String> fromMessages, List<Hit> hits) {
        boolean readsMessage = MESSAGE.matcher(statement).find();
        Matcher assigned = ASSIGNED.matcher(statement);
        if (readsMessage && assigned.find() && MESSAGE.matcher(assigned.group(2)).find()
                && !Pattern.compile("\\.(" + TEXT_TESTS + ")\\(").matcher(assigned.group(2)).find()) {
            fromMessages.add(assigned.group(1));
        }
        boolean tested = Pattern.compile("\\b\\w*[mM]essage\\s*\\.(" + TEXT_TESTS + ")\\(").matcher(statement).find()
                || readsMessage && Pattern.compile("\\.(" + TEXT_TESTS + ")\\(").matcher(statement).find();
        for (String name : fromMessages) {
            if (Pattern.compile("\\b" + Pattern.quote(name) + "\\s*\\.(" + TEXT_TESTS + ")\\(").matcher(statement).find()) {
                tested = true;
            }
        }
        if (tested) {
            hits.add(new Hit(line, method, statement.strip().replaceAll("\\s+", " ")));
        }
    }
}
