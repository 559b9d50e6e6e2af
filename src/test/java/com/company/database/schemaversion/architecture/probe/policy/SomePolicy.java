package com.company.database.schemaversion.architecture.probe.policy;

/** Probe: stands for a policy class. */
public class SomePolicy {
}
