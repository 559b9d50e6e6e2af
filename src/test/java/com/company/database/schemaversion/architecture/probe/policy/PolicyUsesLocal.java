package com.company.database.schemaversion.architecture.probe.policy;

import com.company.database.schemaversion.architecture.probe.local.LocalThing;

/** Probe: a class of the type that uses the local runner, which nothingUsesTheLocalRunner must refuse. */
public class PolicyUsesLocal {
    LocalThing local;
}
