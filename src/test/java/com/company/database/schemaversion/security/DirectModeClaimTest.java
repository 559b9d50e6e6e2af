package com.company.database.schemaversion.security;

import com.fasterxml.jackson.databind.node.ObjectNode;

class DirectModeClaimTest extends ClaimAttacks {
    @Override
    protected ObjectNode resource(String target) {
        return model(target);
    }
}
