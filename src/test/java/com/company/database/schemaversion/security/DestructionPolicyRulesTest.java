package com.company.database.schemaversion.security;

import com.company.database.schemaversion.Database;
import com.company.database.schemaversion.DestructionScopes;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.company.database.schemaversion.policy.DestructionPolicy;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The scope rules of DestructionPolicy without a request: what HOST/DATABASE/SCHEMA entries match. */
class DestructionPolicyRulesTest {

    private static ResourceModel on(String host, String database, String schema) {
        return ResourceModel.builder().database(Database.builder().host(host).name(database).build()).schema(schema).build();
    }

    private static DestructionPolicy clean(String... scopes) {
        return DestructionPolicy.of(TypeConfigurationModel.builder()
                .destruction(DestructionScopes.builder().clean(Set.of(scopes)).build()).build());
    }

    @Test
    void nothingIsAllowedWithoutAConfiguration() {
        ResourceModel m = on("db.example.com", "orders", null);
        for (DestructionPolicy p : new DestructionPolicy[] {DestructionPolicy.defaults(), DestructionPolicy.of(null),
                DestructionPolicy.of(TypeConfigurationModel.builder().build())}) {
            assertThat(p.mayClean(m)).isFalse();
            assertThat(p.mayAdopt(m)).isFalse();
            assertThat(p.mayRepair(m)).isFalse();
            assertThat(p.mayCleanWhatItDidNotCreate(m)).isFalse();
        }
    }

    @Test
    void eachPartMatchesOnItsOwnWithStarsForAnyCharacters() {
        DestructionPolicy p = clean("*.dev.example.com/orders_*/public", "ci.example.com/*/*");
        assertThat(p.mayClean(on("a.dev.example.com", "orders_pr1", "public"))).isTrue();
        assertThat(p.mayClean(on("A.DEV.Example.com.", "orders_pr1", null))).as("host case, trailing dot, default schema").isTrue();
        assertThat(p.mayClean(on("ci.example.com", "anything", "any"))).isTrue();
        assertThat(p.mayClean(on("dev.example.com", "orders_pr1", "public"))).as("*. needs a label").isFalse();
        assertThat(p.mayClean(on("a.dev.example.com.evil.net", "orders_pr1", "public"))).isFalse();
        assertThat(p.mayClean(on("a.dev.example.com", "orders", "public"))).isFalse();
        assertThat(p.mayClean(on("a.dev.example.com", "Orders_pr1", "public"))).as("database names are exact").isFalse();
        assertThat(p.mayClean(on("a.dev.example.com", "orders_pr1", "app"))).isFalse();
        assertThat(p.mayClean(on("xci.example.com", "orders", "public"))).isFalse();
    }

    @Test
    void cleaningWhatTheResourceDidNotCreateNeedsBothSettings() {
        ResourceModel m = on("db.example.com", "orders", "public");
        DestructionPolicy onlyNotCreated = DestructionPolicy.of(TypeConfigurationModel.builder().destruction(
                DestructionScopes.builder().cleanWhatItDidNotCreate(Set.of("*/*/*")).build()).build());
        DestructionPolicy both = DestructionPolicy.of(TypeConfigurationModel.builder().destruction(DestructionScopes.builder()
                .clean(Set.of("*/*/*")).cleanWhatItDidNotCreate(Set.of("db.example.com/orders/public")).build()).build());
        assertThat(clean("*/*/*").mayCleanWhatItDidNotCreate(m)).isFalse();
        assertThat(onlyNotCreated.mayCleanWhatItDidNotCreate(m)).isFalse();
        assertThat(both.mayCleanWhatItDidNotCreate(m)).isTrue();
        assertThat(both.mayCleanWhatItDidNotCreate(on("db.example.com", "orders", "app"))).isFalse();
    }

    @Test
    void malformedScopesMatchNothing() {
        ResourceModel m = on("db.example.com", "orders", "public");
        assertThat(clean("db.example.com/orders", "db.example.com/orders/public/x", "*", "//").mayClean(m)).isFalse();
    }
}
