package com.company.database.schemaversion.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The text of a migration set's scripts, and what the engine checks in it before Flyway runs it. */
final class MigrationScripts {
    private static final String CLASSPATH = "classpath:";
    private static final String FILESYSTEM = "filesystem:";

    private MigrationScripts() {
    }

    /**
     * A script of the set by the name Flyway gives it (its path under the set's location), or null when it is not
     * a file there (a Java migration, or a location of another kind).
     */
    static String read(MigrationSource source, String script, Charset encoding) {
        String location = source.flywayLocation();
        try {
            if (location.startsWith(CLASSPATH)) {
                String root = location.substring(CLASSPATH.length());
                try (InputStream in = MigrationScripts.class.getClassLoader().getResourceAsStream(
                        (root.endsWith("/") ? root : root + "/") + script)) {
                    return in == null ? null : new String(in.readAllBytes(), encoding);
                }
            }
            if (location.startsWith(FILESYSTEM)) {
                Path file = Path.of(location.substring(FILESYSTEM.length())).resolve(script);
                return Files.isRegularFile(file) ? Files.readString(file, encoding) : null;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /**
     * The first placeholder the text names that has no value, or null. A placeholder is what stands between the
     * prefix and the next suffix, as Flyway reads it; names are compared without case, as Flyway compares them,
     * and names in Flyway's own namespace are Flyway's to fill in.
     */
    static String missingPlaceholder(String text, String prefix, String suffix, String flywayNamespace,
                                     Collection<String> known) {
        Set<String> names = known.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        String builtIn = flywayNamespace.toLowerCase(Locale.ROOT);
        int from = 0;
        while (true) {
            int start = text.indexOf(prefix, from);
            if (start < 0) {
                return null;
            }
            int end = text.indexOf(suffix, start + prefix.length());
            if (end < 0) {
                return null;
            }
            String name = text.substring(start + prefix.length(), end);
            String lower = name.toLowerCase(Locale.ROOT);
            if (!names.contains(lower) && !lower.startsWith(builtIn)) {
                return name;
            }
            from = end + suffix.length();
        }
    }
}
