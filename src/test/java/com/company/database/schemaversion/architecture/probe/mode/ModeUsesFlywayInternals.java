package com.company.database.schemaversion.architecture.probe.mode;

/** Probe: Flyway's internal classes outside the engine, which flywayInternalsOnlyInTheEngine must refuse. */
public class ModeUsesFlywayInternals {
    org.flywaydb.core.internal.util.StringUtils strings;
}
