package com.company.database.schemaversion.parity;

/** The parity cases with the handler running Flyway itself (Execution.Mode Direct). */
class FlywayParityDirectTest extends FlywayParitySuite {
    @Override
    boolean vpc() {
        return false;
    }
}
