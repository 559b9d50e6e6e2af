package com.company.database.schemaversion.core;

/**
 * The one rule for the AWS Region a client talks to: the one the request (or the local runner's options) names,
 * else the one Lambda runs the function in (AWS_REGION), else us-east-1. Plain strings, so the handler's adapters
 * and the VPC runner both load it.
 */
public final class Regions {
    public static final String FALLBACK = "us-east-1";

    private Regions() {
    }

    /**
     * @param named               the region the request names, or null/blank
     * @param awsRegionVariable   the value of AWS_REGION where the code runs, or null
     */
    public static String resolve(String named, String awsRegionVariable) {
        if (named != null && !named.isBlank()) {
            return named;
        }
        return awsRegionVariable != null && !awsRegionVariable.isBlank() ? awsRegionVariable : FALLBACK;
    }
}
