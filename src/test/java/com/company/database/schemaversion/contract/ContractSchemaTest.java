package com.company.database.schemaversion.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The comparison rules of cfn test, so the contract suite is as strict as cfn and no stricter. */
class ContractSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ContractSchema SCHEMA = ContractSchema.load(Path.of("company-database-schemaversion.json"));

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void pathsDropThePropertiesPrefix() {
        assertThat(SCHEMA.primaryIdentifierPaths()).containsExactly(List.of("Id"));
        assertThat(SCHEMA.createOnlyPaths()).contains(List.of("Database", "Host"), List.of("Schema"));
        assertThat(SCHEMA.hasOnlyWritableIdentifiers()).isFalse();
    }

    @Test
    void readOnlyInInputAndExtraOutputKeysAreIgnored() throws Exception {
        assertThatCode(() -> SCHEMA.assertInputEqualsOutput(
                json("{'Id':'x','AppliedVersion':'9','TargetVersion':'3','Database':{'Host':'h','Name':'d'}}"),
                json("{'Id':'y','AppliedVersion':'3','TargetVersion':'3','Database':{'Host':'h','Name':'d','Port':5432},"
                        + "'OnDelete':'Retain'}"))).doesNotThrowAnyException();
    }

    @Test
    void missingOrDifferentInputKeyFails() throws Exception {
        assertThatThrownBy(() -> SCHEMA.assertInputEqualsOutput(json("{'TargetVersion':'3','Schema':'app'}"),
                json("{'TargetVersion':'3'}"))).isInstanceOf(AssertionError.class).hasMessageContaining("Schema");
        assertThatThrownBy(() -> SCHEMA.assertInputEqualsOutput(json("{'Database':{'Port':5432}}"),
                json("{'Database':{'Port':'5432'}}"))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Database/Port");
    }

    @Test
    void createOnlyOutputNotInInputIsDroppedButReadOnlyOutputIsNotCompared() throws Exception {
        JsonNode input = json("{'TargetVersion':'3'}");
        assertThatCode(() -> SCHEMA.assertInputEqualsOutput(input, json("{'TargetVersion':'3','Schema':'public'}")))
                .doesNotThrowAnyException();
    }

    @Test
    void unorderedListsCompareAsSetsOrderedOnesInOrder() throws Exception {
        JsonNode in = json("{'Execution':{'SubnetIds':['subnet-1','subnet-2']}}");
        assertThatCode(() -> SCHEMA.assertInputEqualsOutput(in, json("{'Execution':{'SubnetIds':['subnet-2','subnet-1']}}")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> SCHEMA.assertInputEqualsOutput(in, json("{'Execution':{'SubnetIds':['subnet-2']}}")))
                .isInstanceOf(AssertionError.class);
        assertThat(SCHEMA.insertionOrder(List.of("Execution", "SubnetIds"))).isFalse();
        assertThat(SCHEMA.insertionOrder(List.of("TargetVersion"))).isTrue();
    }
}
