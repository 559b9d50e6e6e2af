package com.company.database.schemaversion.architecture.probe;

/** Probe: stands for a handler class of the contract. */
public class CreateHandler {
}
