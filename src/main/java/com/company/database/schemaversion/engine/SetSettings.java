package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Flyway settings a migration set chooses for itself: {@value #FILE} beside its scripts, in Flyway's own
 * configuration-file syntax ({@code flyway.placeholderReplacement=false}), so the same file works with the
 * Flyway command line. Only settings that change how a script is read or run are allowed; settings that
 * decide what is applied, where, or what counts as drift belong to the template or are fixed by this type,
 * and are refused with the reason.
 */
public record SetSettings(Map<String, String> flyway, Map<String, String> placeholderDefaults) {
    public static final String FILE = "flyway.conf";
    static final String PREFIX = "flyway.";
    private static final Set<String> BOOLEANS = Set.of("placeholderReplacement", "mixed", "executeInTransaction",
            "validateMigrationNaming", "skipDefaultCallbacks");
    private static final Set<String> NON_EMPTY = Set.of("placeholderPrefix", "placeholderSuffix", "placeholderSeparator",
            "scriptPlaceholderPrefix", "scriptPlaceholderSuffix");
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("url", "the connection comes from the template's Database and Credentials"),
            Map.entry("user", "the connection comes from the template's Database and Credentials"),
            Map.entry("password", "the connection comes from the template's Database and Credentials"),
            Map.entry("schemas", "the schema is the template's Schema"),
            Map.entry("defaultSchema", "the schema is the template's Schema"),
            Map.entry("table", "the history table is flyway_schema_history (the type observes it directly)"),
            Map.entry("locations", "a set is exactly its folder"),
            Map.entry("target", "the target is the template's TargetVersion"),
            Map.entry("baselineVersion", "adoption is the template's Adoption.BaselineVersion"),
            Map.entry("baselineOnMigrate", "adoption is the template's Adoption.BaselineVersion"),
            Map.entry("outOfOrder", "the type plans and reports in version order"),
            Map.entry("ignoreMigrationPatterns", "it would hide drift the type reports"),
            Map.entry("validateOnMigrate", "the type always validates before migrating"),
            Map.entry("cleanDisabled", "clean is the template's OnDelete"),
            Map.entry("group", "one transaction for all pending migrations defeats the per-call budget"),
            Map.entry("callbacks", "Java callbacks are code; SQL callbacks (afterMigrate.sql ...) in the set's folder work as they are"),
            Map.entry("sqlMigrationPrefix", "the type names V, B and R migrations in its messages"),
            Map.entry("repeatableSqlMigrationPrefix", "the type names V, B and R migrations in its messages"),
            Map.entry("sqlMigrationSeparator", "the type names V, B and R migrations in its messages"),
            Map.entry("sqlMigrationSuffixes", "the type names V, B and R migrations in its messages"),
            Map.entry("lockRetryCount", "the type waits for Flyway's lock across calls itself"));

    public SetSettings {
        flyway = Map.copyOf(flyway);
        placeholderDefaults = Map.copyOf(placeholderDefaults);
    }

    public static SetSettings none() {
        return new SetSettings(Map.of(), Map.of());
    }

    /** The set's settings file, validated; no file means Flyway's defaults. */
    public static SetSettings load(MigrationSource source) {
        String text = read(source);
        return text == null ? none() : parse(text, source.name() + "/" + FILE);
    }

    static SetSettings parse(String text, String where) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw invalid(where, "it is not a properties file: " + e.getMessage());
        }
        Map<String, String> flyway = new TreeMap<>();
        Map<String, String> placeholders = new TreeMap<>();
        for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
            String value = p.getProperty(key).trim();
            if (!key.startsWith(PREFIX)) {
                throw invalid(where, "'" + key + "' is not a Flyway setting (they start with 'flyway.')");
            }
            String name = key.substring(PREFIX.length());
            if (name.startsWith("placeholders.") && name.length() > "placeholders.".length()) {
                // Defaults for the set's placeholders; the template's Placeholders win.
                placeholders.put(name.substring("placeholders.".length()), value);
            } else if (BOOLEANS.contains(name)) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw invalid(where, "'" + key + "' must be true or false, not '" + value + "'");
                }
                flyway.put(key, value);
            } else if (NON_EMPTY.contains(name)) {
                if (value.isEmpty()) {
                    throw invalid(where, "'" + key + "' must not be empty");
                }
                flyway.put(key, value);
            } else if (name.equals("encoding")) {
                if (!Charset.isSupported(value)) {
                    throw invalid(where, "'" + key + "' names no known character set: '" + value + "'");
                }
                flyway.put(key, value);
            } else if (REFUSED.containsKey(name)) {
                throw invalid(where, "'" + key + "' cannot be set by a migration set: " + REFUSED.get(name));
            } else {
                throw invalid(where, "'" + key + "' is not a setting a migration set may choose; allowed are "
                        + String.join(", ", allowed()));
            }
        }
        return new SetSettings(flyway, placeholders);
    }

    /** The settings a set may choose, for messages and the guide. */
    public static java.util.List<String> allowed() {
        java.util.List<String> all = new java.util.ArrayList<>();
        BOOLEANS.forEach(b -> all.add(PREFIX + b));
        NON_EMPTY.forEach(b -> all.add(PREFIX + b));
        all.add(PREFIX + "encoding");
        all.add(PREFIX + "placeholders.<name>");
        java.util.Collections.sort(all);
        return all;
    }

    /** The template's placeholders over the set's defaults. */
    public Map<String, String> placeholders(Map<String, String> fromTemplate) {
        Map<String, String> merged = new LinkedHashMap<>(placeholderDefaults);
        if (fromTemplate != null) {
            merged.putAll(fromTemplate);
        }
        return merged;
    }

    private static String read(MigrationSource source) {
        String location = source.flywayLocation();
        try {
            if (location.startsWith("filesystem:")) {
                Path file = Path.of(location.substring("filesystem:".length())).resolve(FILE);
                return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            }
            String resource = location.substring("classpath:".length()) + "/" + FILE;
            try (InputStream in = SetSettings.class.getClassLoader().getResourceAsStream(resource)) {
                return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ReconcileException invalid(String where, String why) {
        return new ReconcileException(Reason.INVALID_INPUT, "The migration set's settings file " + where
                + " is not valid: " + why + ". Fix it and rebuild the artifact.");
    }
}
