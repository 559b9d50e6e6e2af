// This is a generated file. Modifications will be overwritten.
package com.company.database.schemaversion;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.List;
import java.util.Set;
import lombok.AllArgsConstructor;
import lombok.NoArgsConstructor;
import lombok.Builder;
import lombok.Data;

@Data
@Builder
@AllArgsConstructor
@NoArgsConstructor
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class TypeConfigurationModel {
    @JsonProperty("Credentials")
    private CredentialPolicy credentials;

    @JsonProperty("Connections")
    private ConnectionPolicy connections;

    @JsonProperty("Runner")
    private RunnerPolicy runner;

    @JsonProperty("TaskRunner")
    private TaskRunnerPolicy taskRunner;

    @JsonProperty("Records")
    private RecordPolicy records;

    @JsonProperty("Destruction")
    private DestructionScopes destruction;

    @JsonProperty("CloudControl")
    private CloudControlPolicy cloudControl;

}
