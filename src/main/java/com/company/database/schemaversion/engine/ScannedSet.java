package com.company.database.schemaversion.engine;

import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.scanner.Scanner;

import java.util.Collection;
import java.util.Objects;

/**
 * The migration set's scripts and Java migrations as Flyway's own scanner finds them, scanned once per engine
 * instead of once per Flyway command: without it every info() and migrate() walks the set's location again,
 * and a call runs two or three of them. Given to every Flyway instance of the engine through the public
 * {@code resourceProvider}/{@code javaMigrationClassProvider} settings, so Flyway reads exactly what its own
 * scan would have given it.
 *
 * <p>A set on disk can change while the engine lives: the engine hands every observation's source fingerprint
 * (names, sizes and modification times) to {@link #refresh}, and a different one drops the scan, so the next
 * command scans again. A baked set cannot change while the JVM runs; its fingerprint never changes.
 */
final class ScannedSet implements ResourceProvider, ClassProvider<JavaMigration> {
    private Configuration configuration;
    private String refreshedFor;
    private Scanner<JavaMigration> scanner;

    /** The configuration to scan with (locations, encoding, class loader, naming): the engine's first Flyway's. */
    synchronized void configureOnce(Configuration flywayConfiguration) {
        if (configuration == null) {
            configuration = flywayConfiguration;
        }
    }

    /**
     * Drops the scan when the set's fingerprint differs from the one of the previous observation, or could not
     * be read (null).
     */
    synchronized void refresh(String sourceFingerprint) {
        if (sourceFingerprint == null || !Objects.equals(sourceFingerprint, refreshedFor)) {
            scanner = null;
            refreshedFor = sourceFingerprint;
        }
    }

    private synchronized Scanner<JavaMigration> scanner() {
        if (scanner == null) {
            scanner = new Scanner<>(JavaMigration.class, configuration, configuration.getLocations());
        }
        return scanner;
    }

    @Override
    public LoadableResource getResource(String name) {
        return scanner().getResource(name);
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return scanner().getResources(prefix, suffixes);
    }

    @Override
    public Collection<Class<? extends JavaMigration>> getClasses() {
        return scanner().getClasses();
    }
}
