// This is a generated file. Modifications will be overwritten.
package com.company.database.schemaversion;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.List;
import java.util.ArrayList;
import java.util.Set;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;
import org.json.JSONObject;


@Data
@Builder(toBuilder = true)
@AllArgsConstructor
@NoArgsConstructor
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
public class ResourceModel {
    @JsonIgnore
    public static final String TYPE_NAME = "Company::Database::SchemaVersion";

    @JsonIgnore
    public static final String IDENTIFIER_KEY_ID = "/properties/Id";

    @JsonProperty("Id")
    private String id;

    @JsonProperty("Database")
    private Database database;

    @JsonProperty("Credentials")
    private Credentials credentials;

    @JsonProperty("Schema")
    private String schema;

    @JsonProperty("MigrationSet")
    private String migrationSet;

    @JsonProperty("TargetVersion")
    private String targetVersion;

    @JsonProperty("Placeholders")
    private Map<String, String> placeholders;

    @JsonProperty("Execution")
    private Execution execution;

    @JsonProperty("Timeouts")
    private Timeouts timeouts;

    @JsonProperty("OnDelete")
    private String onDelete;

    @JsonProperty("AppliedVersion")
    private String appliedVersion;

    @JsonProperty("ResolvedTargetVersion")
    private String resolvedTargetVersion;

    @JsonProperty("AppliedCount")
    private Integer appliedCount;

    @JsonProperty("PendingCount")
    private Integer pendingCount;

    @JsonProperty("Checksum")
    private String checksum;

    @JsonProperty("LastAppliedAt")
    private String lastAppliedAt;

    @JsonProperty("DriftStatus")
    private String driftStatus;

    @JsonProperty("DriftDetails")
    private String driftDetails;

    @JsonProperty("Adoption")
    private Adoption adoption;

    @JsonProperty("Repair")
    private Repair repair;

    @JsonIgnore
    public JSONObject getPrimaryIdentifier() {
        final JSONObject identifier = new JSONObject();
        if (this.getId() != null) {
            identifier.put(IDENTIFIER_KEY_ID, this.getId());
        }

        // only return the identifier if it can be used, i.e. if all components are present
        return identifier.length() == 1 ? identifier : null;
    }

    @JsonIgnore
    public List<JSONObject> getAdditionalIdentifiers() {
        final List<JSONObject> identifiers = new ArrayList<JSONObject>();
        // only return the identifiers if any can be used
        return identifiers.isEmpty() ? null : identifiers;
    }
}
