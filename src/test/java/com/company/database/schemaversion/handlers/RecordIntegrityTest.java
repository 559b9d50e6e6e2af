package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.aws.RecordIntegrity;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resource records are SSM parameters that anyone with ssm:PutParameter on the prefix can rewrite, and Read,
 * Update and Delete act on what the record says. With the account's record key (Records.IntegrityKeyArn, or
 * without it the key the registration template creates under its well-known alias) a rewritten record is
 * refused and nothing is done to the database, and so is an older signed value put back; List skips rewritten
 * and junk records instead of failing.
 */
class RecordIntegrityTest extends AbstractHandlerTest {
    private String keyArn;

    @BeforeEach
    void signRecordsWithAnAccountKey() {
        kms().reset();
        keyArn = kms().createHmacKey("us-east-1");
        driver.withTypeConfiguration(configurationWithKey(keyArn));
    }

    private static ObjectNode configurationWithKey(String keyArn) {
        ObjectNode configuration = com.company.database.schemaversion.testing.TestModels.testAccount();
        configuration.putObject("Records").put("IntegrityKeyArn", keyArn);
        return configuration;
    }

    private ObjectNode cleanOnDelete(String target) {
        ObjectNode m = model(target);
        m.put("OnDelete", "Retain");
        return m;
    }

    private String created(ObjectNode model) {
        Outcome c = create(model);
        assertThat(c.status()).as(c.message()).isEqualTo("SUCCESS");
        return c.model().path("Id").asText();
    }

    private String stored(String id) {
        return ssm().get(SsmRecordStore.nameOf(id)).value();
    }

    /** What someone with ssm:PutParameter does: rewrites the value, keeping or dropping the MAC line. */
    private void rewrite(String id, String value) {
        ssm().put(SsmRecordStore.nameOf(id), "String", value);
    }

    private List<String> tables() {
        return query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    }

    @Test
    void recordsCarryAMacAndReadVerifiesIt() {
        String id = created(cleanOnDelete("2"));
        assertThat(stored(id)).contains("\nhmac-sha256-v2:");
        assertThat(kms().requests()).anyMatch(r -> r.startsWith("TrentService.GenerateMac "));

        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("AppliedVersion").asText()).isEqualTo("2");
        assertThat(kms().requests()).anyMatch(r -> r.startsWith("TrentService.VerifyMac "));
    }

    @Test
    void onDeleteSwitchedToCleanByHandIsRefusedByReadUpdateAndDeleteAndNothingIsDropped() {
        ObjectNode model = cleanOnDelete("2");
        String id = created(model);
        List<String> tablesBefore = tables();
        String original = stored(id);
        assertThat(original).contains("\"Retain\"");

        // Keeping the old MAC line (a naive edit) and dropping it (a rewrite from scratch) are both refused.
        for (String forged : List.of(original.replace("\"Retain\"", "\"Clean\""),
                original.substring(0, original.indexOf("\nhmac-sha256")).replace("\"Retain\"", "\"Clean\""))) {
            rewrite(id, forged);

            Outcome read = read(JSON.createObjectNode().put("Id", id));
            assertRefused(read, id);

            ObjectNode raised = model.deepCopy().put("Id", id).put("TargetVersion", "4");
            Outcome update = update(raised, model.deepCopy().put("Id", id));
            assertRefused(update, id);
            assertThat(history()).as("Update applied nothing").containsExactly("1", "2");

            Outcome delete = delete(JSON.createObjectNode().put("Id", id));
            assertRefused(delete, id);
            assertThat(tables()).as("Delete dropped nothing").isEqualTo(tablesBefore);
            assertThat(ssm().get(SsmRecordStore.nameOf(id))).as("the record stays for the operator to inspect").isNotNull();
        }
    }

    @Test
    void aHostChangedByHandIsRefused() {
        String id = created(cleanOnDelete("1"));
        String original = stored(id);
        assertThat(original).contains("\"127.0.0.1\"");
        // localhost reaches the same test server: without verification Read would follow the record there.
        rewrite(id, original.replace("\"127.0.0.1\"", "\"localhost\""));

        assertRefused(read(JSON.createObjectNode().put("Id", id)), id);
    }

    @Test
    void aSignedRecordCopiedIntoAnotherResourcesParameterIsRefused() {
        ObjectNode retained = cleanOnDelete("1");
        retained.put("Schema", "kept");
        String keptId = created(retained);
        ObjectNode cleaned = model("1");
        cleaned.put("Schema", "scratch");
        cleaned.put("OnDelete", "Clean");
        String scratchId = created(cleaned);

        String tablesInBoth = "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                + " WHERE table_schema IN ('kept', 'scratch') ORDER BY 1";
        List<String> before = query(tablesInBoth);
        rewrite(keptId, stored(scratchId));

        // Without the name in the MAC, this Delete would clean schema scratch on the word of kept's record.
        assertRefused(delete(JSON.createObjectNode().put("Id", keptId)), keptId);
        assertThat(query(tablesInBoth)).isEqualTo(before);
    }

    @Test
    void aRecordFromBeforeTheKeyWasSetIsRefused() {
        driver.withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount());
        String id = created(cleanOnDelete("1"));
        assertThat(stored(id)).as("without a key records are plain").doesNotContain("hmac-sha256");

        driver.withTypeConfiguration(configurationWithKey(keyArn));
        assertRefused(read(JSON.createObjectNode().put("Id", id)), id);
    }

    @Test
    void aKeyOfAnotherAccountOrUsageIsAnActionableFailureNotATamperedRecord() {
        String id = created(cleanOnDelete("1"));
        driver.withTypeConfiguration(configurationWithKey(kms().createEncryptionKey("us-east-1")));

        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.status()).isEqualTo("FAILED");
        assertThat(read.message()).contains("Records.IntegrityKeyArn").contains("InvalidKeyUsageException")
                .doesNotContain("changed outside");
    }

    @Test
    void listSkipsRewrittenAndJunkRecordsAndNamesThem() {
        ObjectNode first = cleanOnDelete("1");
        first.put("Schema", "first");
        String good = created(first);
        ObjectNode second = cleanOnDelete("1");
        second.put("Schema", "second");
        String forged = created(second);
        rewrite(forged, stored(forged).replace("\"Retain\"", "\"Clean\""));
        String junk = SsmRecordStore.PREFIX + "/junk";
        ssm().put(junk, "String", "{not a record");

        Outcome page = list(null);
        assertThat(page.status()).as(page.message()).isEqualTo("SUCCESS");
        assertThat(ids(page.response().get("resourceModels"))).containsExactly(good);
        assertThat(handlerLog).anyMatch(l -> l.contains("List skipped " + SsmRecordStore.nameOf(forged) + ": changed outside"));
        assertThat(handlerLog).anyMatch(l -> l.contains("List skipped " + junk));
        assertThat(handlerLog).noneMatch(l -> l.contains("{not a record"));
    }

    @Test
    void withoutAKeyListStillSkipsAJunkRecord() {
        driver.withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount());
        String good = created(cleanOnDelete("1"));
        ssm().put(SsmRecordStore.PREFIX + "/junk", "String", "[1, 2");
        ssm().put(SsmRecordStore.PREFIX + "/empty", "String", "{}");

        Outcome page = list(null);
        assertThat(page.status()).as(page.message()).isEqualTo("SUCCESS");
        assertThat(ids(page.response().get("resourceModels"))).containsExactly(good);
    }

    // Signed by default: the registration template's key under its well-known alias, no type configuration.

    /** The account as the registration template leaves it: the record key behind the alias, nothing configured. */
    private String registrationTemplateDeployed() {
        String key = kms().createHmacKey("us-east-1");
        kms().alias(RecordIntegrity.DEFAULT_KEY_ALIAS, key);
        driver.withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount());
        return key;
    }

    @Test
    void whereTheRegistrationTemplateWasDeployedRecordsAreSignedWithoutAnyTypeConfiguration() {
        registrationTemplateDeployed();
        ObjectNode model = cleanOnDelete("2");
        String id = created(model);
        List<String> tablesBefore = tables();
        String original = stored(id);
        assertThat(original).contains("\nhmac-sha256-v2:");
        assertThat(kms().requests()).anyMatch(r -> r.startsWith("TrentService.GenerateMac ")
                && r.contains(RecordIntegrity.DEFAULT_KEY_ALIAS));

        // Someone with ssm:PutParameter switches OnDelete to Clean, with the MAC line dropped (as if unsigned).
        String unsigned = original.substring(0, original.indexOf("\nhmac-sha256")).replace("\"Retain\"", "\"Clean\"");
        rewrite(id, unsigned);
        assertRefused(read(JSON.createObjectNode().put("Id", id)), id);
        Outcome delete = delete(JSON.createObjectNode().put("Id", id));
        assertRefused(delete, id);
        assertThat(delete.message()).contains("carries no integrity MAC");
        assertThat(tables()).as("Delete dropped nothing").isEqualTo(tablesBefore);
    }

    @Test
    void aRestoredOlderSignedValueIsRefusedAndDeleteCleansNothing() {
        registrationTemplateDeployed();
        ObjectNode clean = model("2");
        clean.put("OnDelete", "Clean");
        String id = created(clean);
        String cleanRecord = stored(id);
        assertThat(cleanRecord).contains("\"Clean\"");

        ObjectNode retain = clean.deepCopy().put("Id", id).put("OnDelete", "Retain");
        Outcome updated = update(retain, clean.deepCopy().put("Id", id));
        assertThat(updated.status()).as(updated.message()).isEqualTo("SUCCESS");
        assertThat(stored(id)).contains("\"Retain\"");
        assertThat(read(JSON.createObjectNode().put("Id", id)).status()).isEqualTo("SUCCESS");
        List<String> tablesBefore = tables();

        // SSM keeps every version's value: put the signed Clean record back, MAC and all.
        rewrite(id, cleanRecord);

        Outcome delete = delete(JSON.createObjectNode().put("Id", id));
        assertRefused(delete, id);
        assertThat(delete.message()).contains("an older value was put back").contains("DeletionPolicy Retain");
        assertThat(tables()).as("the restored Clean record cleaned nothing").isEqualTo(tablesBefore);
        assertRefused(read(JSON.createObjectNode().put("Id", id)), id);
        assertRefused(update(retain, retain), id);
        assertThat(ids(list(null).response().get("resourceModels"))).as("List skips it").doesNotContain(id);
    }

    @Test
    void withAConfiguredKeyARestoredOlderValueIsRefusedToo() {
        ObjectNode model = cleanOnDelete("1");
        String id = created(model);
        String first = stored(id);
        ObjectNode raised = model.deepCopy().put("Id", id).put("TargetVersion", "2");
        assertThat(update(raised, model.deepCopy().put("Id", id)).status()).isEqualTo("SUCCESS");

        rewrite(id, first);

        assertRefused(read(JSON.createObjectNode().put("Id", id)), id);
    }

    @Test
    void withoutTheKeyRecordsArePlainAndEachRequestSaysSo() {
        driver.withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount());
        String id = created(cleanOnDelete("1"));

        assertThat(stored(id)).doesNotContain("hmac-sha256");
        assertThat(handlerLog).anyMatch(l -> l.contains("No record key in this account")
                && l.contains(RecordIntegrity.DEFAULT_KEY_ALIAS) && l.contains("registration/registration.yaml"));
        assertThat(read(JSON.createObjectNode().put("Id", id)).status()).isEqualTo("SUCCESS");
    }

    @Test
    void aSignedRecordIsNeverAcceptedUncheckedNotEvenWhenTheAliasIsGone() {
        String aliasedKey = registrationTemplateDeployed();
        String id = created(cleanOnDelete("1"));
        kms().deleteAlias(RecordIntegrity.DEFAULT_KEY_ALIAS);

        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertRefused(read, id);
        assertThat(read.message()).contains("finds no key " + RecordIntegrity.DEFAULT_KEY_ALIAS).contains("Put the alias back");

        // With the alias back, the record verifies again: nothing about it was wrong.
        kms().alias(RecordIntegrity.DEFAULT_KEY_ALIAS, aliasedKey);
        assertThat(read(JSON.createObjectNode().put("Id", id)).status()).isEqualTo("SUCCESS");
    }

    @Test
    void aRecordSignedByAnEarlierReleaseIsRefused() {
        registrationTemplateDeployed();
        String id = created(cleanOnDelete("1"));
        String stored = stored(id);
        // The earlier format: a MAC over name and value only, which an older value put back would still pass.
        rewrite(id, stored.replace("\nhmac-sha256-v2:", "\nhmac-sha256:"));

        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertRefused(read, id);
        assertThat(read.message()).contains("earlier release");
    }

    @Test
    void aWriterRacingTheTypesWriteIsOutwrittenOnceAndAPersistentOneLeavesTheRecordRefused() {
        registrationTemplateDeployed();
        ObjectNode model = cleanOnDelete("1");
        String id = created(model);
        String name = SsmRecordStore.nameOf(id);
        String forged = stored(id).replace("\"Retain\"", "\"Clean\"");

        // One write by someone else between the type's read of the version and its own write.
        ssm().beforeNextPuts(name, 1, () -> ssm().put(name, "String", forged));
        ObjectNode raised = model.deepCopy().put("Id", id).put("TargetVersion", "2");
        Outcome update = update(raised, model.deepCopy().put("Id", id));
        assertThat(update.status()).as(update.message()).isEqualTo("SUCCESS");
        Outcome read = read(JSON.createObjectNode().put("Id", id));
        assertThat(read.status()).as(read.message()).isEqualTo("SUCCESS");
        assertThat(read.model().path("OnDelete").asText()).isEqualTo("Retain");

        // Someone writing before every write of the type: the type gives up, and the record stays refused.
        ssm().beforeNextPuts(name, 100, () -> ssm().put(name, "String", forged));
        ObjectNode higher = model.deepCopy().put("Id", id).put("TargetVersion", "3");
        Outcome lost = update(higher, raised);
        assertThat(lost.status()).isEqualTo("FAILED");
        assertThat(lost.message()).contains("Someone else kept writing the resource record " + name)
                .contains("DeletionPolicy Retain");
        ssm().beforeNextPuts(name, 0, null);
        List<String> tablesBefore = tables();
        assertRefused(delete(JSON.createObjectNode().put("Id", id)), id);
        assertThat(tables()).isEqualTo(tablesBefore);
    }

    private static List<String> ids(JsonNode models) {
        List<String> ids = new ArrayList<>();
        models.forEach(m -> ids.add(m.path("Id").asText()));
        return ids;
    }

    private static void assertRefused(Outcome outcome, String id) {
        assertThat(outcome.status()).as(outcome.message()).isEqualTo("FAILED");
        assertThat(outcome.errorCode()).isEqualTo("InternalFailure");
        assertThat(outcome.message()).contains(SsmRecordStore.nameOf(id)).contains("changed outside");
    }
}
