package com.company.database.schemaversion.parity;

/** The parity cases through the runner function, run by the Lambda emulator (Execution.Mode VpcRunner). */
class FlywayParityVpcRunnerTest extends FlywayParitySuite {
    @Override
    boolean vpc() {
        return true;
    }
}
