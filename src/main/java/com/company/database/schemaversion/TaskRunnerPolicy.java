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
public class TaskRunnerPolicy {
    @JsonProperty("Image")
    private String image;

    @JsonProperty("Cluster")
    private String cluster;

    @JsonProperty("ExecutionRoleArn")
    private String executionRoleArn;

    @JsonProperty("LogGroup")
    private String logGroup;

    @JsonProperty("Cpu")
    private Integer cpu;

    @JsonProperty("MemoryMiB")
    private Integer memoryMiB;

}
