package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ListPagingTest extends AbstractHandlerTest {

    private List<String> listedIds(List<Integer> pageSizes) {
        List<String> ids = new ArrayList<>();
        String next = null;
        do {
            Outcome page = list(next);
            assertThat(page.status()).as(page.message()).isEqualTo("SUCCESS");
            assertThat(page.response().has("resourceModels")).isTrue();
            pageSizes.add(page.response().get("resourceModels").size());
            page.response().get("resourceModels").forEach(m -> ids.add(m.path("Id").asText()));
            next = page.response().path("nextToken").asText(null);
        } while (next != null);
        return ids;
    }

    @Test
    void listPagesThroughMoreThanTenResourcesAndForgetsDeletedOnes() {
        List<String> created = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            ObjectNode m = model("1");
            m.put("Schema", "tenant_" + i);
            Outcome c = create(m);
            assertThat(c.status()).as(c.message()).isEqualTo("SUCCESS");
            created.add(c.model().path("Id").asText());
        }

        List<Integer> pageSizes = new ArrayList<>();
        List<String> listed = listedIds(pageSizes);
        assertThat(listed).containsExactlyInAnyOrderElementsOf(created);
        assertThat(pageSizes).containsExactly(10, 2);

        for (String gone : created.subList(0, 3)) {
            assertThat(delete(JSON.createObjectNode().put("Id", gone)).status()).isEqualTo("SUCCESS");
        }
        List<Integer> afterSizes = new ArrayList<>();
        assertThat(listedIds(afterSizes)).containsExactlyInAnyOrderElementsOf(created.subList(3, 12));
        assertThat(afterSizes).containsExactly(9);
    }

    @Test
    void listOfNothingIsAnEmptyListNotAMissingOne() {
        Outcome page = list(null);
        assertThat(page.status()).isEqualTo("SUCCESS");
        JsonNode models = page.response().get("resourceModels");
        assertThat(models).isNotNull();
        assertThat(models.isArray()).isTrue();
        assertThat(models.size()).isZero();
    }
}
