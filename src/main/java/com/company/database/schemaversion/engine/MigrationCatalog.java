package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The migration sets baked into the artifact: the folders under db/migration on the classpath. */
public final class MigrationCatalog {
    private MigrationCatalog() {
    }

    public static List<String> bakedSets() {
        return Baked.SETS;
    }

    /** The artifact's sets never change while it runs: scanned once, when first asked for, and immutable. */
    private static final class Baked {
        static final List<String> SETS = List.copyOf(scan(MigrationCatalog.class.getClassLoader()));
    }

    /** The set a resource uses: the named one, or the only one when none is named. */
    public static MigrationSource resolve(String requested) {
        List<String> sets = bakedSets();
        if (requested == null || requested.isEmpty()) {
            if (sets.size() == 1) {
                return MigrationSource.baked(sets.get(0));
            }
            throw new ReconcileException(Reason.INVALID_INPUT, sets.isEmpty()
                    ? "This type's artifact carries no migration set under db/migration: rebuild it with one."
                    : "MigrationSet is required because this type's artifact carries several sets: " + String.join(", ", sets) + ".");
        }
        if (!sets.contains(requested)) {
            throw new ReconcileException(Reason.INVALID_INPUT, "MigrationSet '" + requested
                    + "' is not in this type's artifact, which carries: " + String.join(", ", sets) + ".");
        }
        return MigrationSource.baked(requested);
    }

    static List<String> scan(ClassLoader loader) {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources(MigrationSource.BAKED_ROOT);
            for (URL root : Collections.list(roots)) {
                if ("file".equals(root.getProtocol())) {
                    try (Stream<Path> children = Files.list(Path.of(root.toURI()))) {
                        children.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
                    }
                } else if ("jar".equals(root.getProtocol())) {
                    JarURLConnection connection = (JarURLConnection) root.openConnection();
                    connection.setUseCaches(false);
                    try (JarFile jar = connection.getJarFile()) {
                        String prefix = MigrationSource.BAKED_ROOT + "/";
                        for (JarEntry entry : Collections.list(jar.entries())) {
                            String name = entry.getName();
                            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                                String rest = name.substring(prefix.length());
                                int slash = rest.indexOf('/');
                                if (slash > 0) {
                                    names.add(rest.substring(0, slash));
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(names);
    }
}
