package com.company.database.schemaversion.architecture.probe.aws;

import com.company.database.schemaversion.architecture.probe.policy.SomePolicy;

/** Probe: an AWS adapter that depends on a policy, which the adapters' rule must refuse. */
public class AdapterUsesPolicy {
    SomePolicy policy;
}
