package com.company.database.schemaversion.contract;

/**
 * The contract suite in Direct mode: the inputs as written (no Execution, so Mode defaults to Direct), the
 * handler itself connecting to the database.
 */
class DirectModeContractTest extends AbstractContractSuite {
}
