package com.company.database.schemaversion.security;

import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.PlaceholderValues;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The placeholder rule itself (PlaceholderInjectionTest shows it end to end). */
class PlaceholderRuleTest {

    @Test
    void valuesThatCouldChangeAStatementAreRefused() {
        for (String value : List.of("x\"", "x'", "x\\", "x;", "$x$", "x--", "/*x", "x y", "x,y", "f(x)", "x\ny", "x\ty",
                "x\u0000", "é", "x*", "a".repeat(PlaceholderValues.MAX_LENGTH + 1))) {
            assertThat(PlaceholderValues.problem(value)).as(value).isNotNull();
        }
    }

    @Test
    void plainTokensPass() {
        for (String value : List.of("orders_app", "orders-app", "public.orders", "arn:aws:iam::123456789012:role/app",
                "SGVsbG8sIHdvcmxkIQ==", "user@example.com", "42", "")) {
            assertThat(PlaceholderValues.problem(value)).as(value).isNull();
        }
    }

    @Test
    void theRefusalNamesTheKeyNotTheValue() {
        assertThatThrownBy(() -> PlaceholderValues.check(Map.of("AppRole", "x\" ; DROP TABLE orders ; --")))
                .isInstanceOf(ReconcileException.class)
                .hasMessageContaining("Placeholders.AppRole contains the character \"")
                .hasMessageNotContaining("DROP TABLE");
    }
}
