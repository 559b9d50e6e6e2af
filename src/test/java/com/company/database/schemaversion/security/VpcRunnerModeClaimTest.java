package com.company.database.schemaversion.security;

import com.fasterxml.jackson.databind.node.ObjectNode;

class VpcRunnerModeClaimTest extends ClaimAttacks {
    @Override
    protected ObjectNode resource(String target) {
        return vpcModel(target);
    }
}
