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
public class Execution {
    @JsonProperty("Mode")
    private String mode;

    @JsonProperty("SubnetIds")
    private Set<String> subnetIds;

    @JsonProperty("SecurityGroupIds")
    private Set<String> securityGroupIds;

    @JsonProperty("RoleArn")
    private String roleArn;

    @JsonProperty("AssignPublicIp")
    private Boolean assignPublicIp;

}
