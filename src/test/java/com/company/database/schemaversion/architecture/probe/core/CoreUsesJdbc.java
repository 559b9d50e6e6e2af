package com.company.database.schemaversion.architecture.probe.core;

/** Probe: a core class that talks JDBC, which coreIsPure must refuse. */
public class CoreUsesJdbc {
    java.sql.Connection connection;
}
