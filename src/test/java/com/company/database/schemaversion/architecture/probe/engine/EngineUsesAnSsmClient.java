package com.company.database.schemaversion.architecture.probe.engine;

/** Probe: an engine class holding an AWS client, which enginesKnowNoAwsNorTheContract must refuse. */
public class EngineUsesAnSsmClient {
    software.amazon.awssdk.services.ssm.SsmClient ssm;
}
