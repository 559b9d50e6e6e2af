package com.company.database.schemaversion.architecture.probe.local;

/** Probe: stands for a class of the local runner. */
public class LocalThing {
}
