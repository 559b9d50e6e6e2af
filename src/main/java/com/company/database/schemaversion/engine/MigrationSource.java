package com.company.database.schemaversion.engine;

import java.nio.file.Path;

/**
 * Where a migration set's scripts are: a set baked into the artifact (classpath:db/migration/NAME), or a
 * folder on disk (the local runner's --migrations, to try a set before baking it).
 */
public record MigrationSource(String name, String flywayLocation) {
    public static final String BAKED_ROOT = "db/migration";

    public static MigrationSource baked(String set) {
        return new MigrationSource(set, "classpath:" + BAKED_ROOT + "/" + set);
    }

    public static MigrationSource directory(Path dir) {
        return new MigrationSource(dir.getFileName().toString(), "filesystem:" + dir.toAbsolutePath());
    }
}
