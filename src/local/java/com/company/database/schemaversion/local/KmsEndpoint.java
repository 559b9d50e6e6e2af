package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exactly the KMS calls the type makes, GenerateMac and VerifyMac, speaking AWS JSON 1.1 (X-Amz-Target
 * TrentService.GenerateMac / TrentService.VerifyMac) on 127.0.0.1 so the real SDK client talks to it. Shapes and
 * errors follow the KMS API reference: blobs travel base64; a key is named by key id, key ARN, alias name
 * (alias/...) or alias ARN, and the answer's KeyId is always the key's ARN; an unknown key or alias is
 * NotFoundException; a MAC that does not match fails with KMSInvalidMacException (VerifyMac never answers
 * MacValid false); a key of another usage is InvalidKeyUsageException; a message outside 1..4096 bytes is
 * ValidationException. Which keys and aliases exist is the owner's: the tests create them, the local runner
 * has none (an account where the registration template was not deployed).
 */
public class KmsEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String arnPrefix;
    private final Map<String, byte[]> hmacKeys = new ConcurrentHashMap<>();
    private final Map<String, String> otherKeys = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();

    /** @param arnPrefix what the ARNs of this endpoint's keys and aliases start with: arn:aws:kms:REGION:ACCOUNT */
    protected KmsEndpoint(String threadName, String arnPrefix) throws IOException {
        this.arnPrefix = arnPrefix;
        server = LocalServer.start(0, this::handle, 2, threadName);
    }

    public String endpoint() {
        return LocalServer.endpoint(server);
    }

    /** Creates an HMAC_256 key (KeyUsage GENERATE_VERIFY_MAC) and returns its ARN. */
    public String createHmacKey() {
        String arn = arnPrefix + ":key/" + UUID.randomUUID();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        hmacKeys.put(arn, secret);
        return arn;
    }

    /** Creates a key that exists but is not for MACs (e.g. a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key). */
    public String createEncryptionKey() {
        String arn = arnPrefix + ":key/" + UUID.randomUUID();
        otherKeys.put(arn, "ENCRYPT_DECRYPT");
        return arn;
    }

    /** CreateAlias, or UpdateAlias when it exists: {@code aliasName} (alias/...) now names that key. */
    public void alias(String aliasName, String keyArn) {
        aliases.put(aliasName, keyArn);
    }

    /** DeleteAlias. */
    public void deleteAlias(String aliasName) {
        aliases.remove(aliasName);
    }

    /** Forgets every key and alias. */
    protected void clearKeys() {
        hmacKeys.clear();
        otherKeys.clear();
        aliases.clear();
    }

    /** Sees each request as it arrives. */
    protected void received(String target, String body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received(target, body);
            JsonNode in = JSON.readTree(body.isEmpty() ? "{}" : body);
            switch (target == null ? "" : target) {
                case "TrentService.GenerateMac" -> generateMac(exchange, in);
                case "TrentService.VerifyMac" -> verifyMac(exchange, in);
                default -> AwsJson.respond(exchange, 400, AwsJson.error("UnknownOperationException", "Not emulated: " + target));
            }
        }
    }

    private void generateMac(HttpExchange ex, JsonNode in) throws IOException {
        Checked checked = check(ex, in);
        if (checked == null) {
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("Mac", Base64.getEncoder().encodeToString(hmac(checked.secret, checked.message)));
        out.put("MacAlgorithm", "HMAC_SHA_256");
        out.put("KeyId", checked.keyArn);
        AwsJson.respond(ex, 200, out);
    }

    private void verifyMac(HttpExchange ex, JsonNode in) throws IOException {
        if (!in.hasNonNull("Mac")) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value null at 'mac' failed to satisfy constraint: Member must not be null"));
            return;
        }
        byte[] mac = Base64.getDecoder().decode(in.get("Mac").asText());
        if (mac.length < 1 || mac.length > 6144) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value at 'mac' failed to satisfy constraint: Member must have length between 1 and 6144"));
            return;
        }
        Checked checked = check(ex, in);
        if (checked == null) {
            return;
        }
        if (!MessageDigest.isEqual(mac, hmac(checked.secret, checked.message))) {
            AwsJson.respond(ex, 400, AwsJson.error("KMSInvalidMacException", null));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("KeyId", checked.keyArn);
        out.put("MacValid", true);
        out.put("MacAlgorithm", "HMAC_SHA_256");
        AwsJson.respond(ex, 200, out);
    }

    private record Checked(String keyArn, byte[] secret, byte[] message) {
    }

    /** The checks both operations share, in the order KMS reports them; null once an error is sent. */
    private Checked check(HttpExchange ex, JsonNode in) throws IOException {
        if (!in.hasNonNull("Message") || !in.hasNonNull("KeyId") || !in.hasNonNull("MacAlgorithm")) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "KeyId, Message and MacAlgorithm are required"));
            return null;
        }
        byte[] message = Base64.getDecoder().decode(in.get("Message").asText());
        if (message.length < 1 || message.length > 4096) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and 4096"));
            return null;
        }
        String algorithm = in.get("MacAlgorithm").asText();
        if (!List.of("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512").contains(algorithm)) {
            AwsJson.respond(ex, 400, AwsJson.error("ValidationException", "1 validation error detected: Value '" + algorithm + "' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set"));
            return null;
        }
        String keyId = in.get("KeyId").asText();
        String alias = aliasName(keyId);
        String keyArn = alias == null ? keyArn(keyId) : aliases.get(alias);
        if (alias != null && keyArn == null) {
            AwsJson.respond(ex, 400, AwsJson.error("NotFoundException", "Alias " + arnPrefix + ":" + alias + " is not found."));
            return null;
        }
        if (otherKeys.containsKey(keyArn)) {
            AwsJson.respond(ex, 400, AwsJson.error("InvalidKeyUsageException", keyArn + " key usage is ENCRYPT_DECRYPT which is not valid for " + (in.has("Mac") ? "VerifyMac." : "GenerateMac.")));
            return null;
        }
        byte[] secret = hmacKeys.get(keyArn);
        if (secret == null) {
            AwsJson.respond(ex, 400, AwsJson.error("NotFoundException", "Key '" + keyArn + "' does not exist"));
            return null;
        }
        if (!"HMAC_SHA_256".equals(algorithm)) {
            // An HMAC_256 key supports only HMAC_SHA_256.
            AwsJson.respond(ex, 400, AwsJson.error("InvalidKeyUsageException", "The MAC algorithm " + algorithm + " is not supported by " + keyArn));
            return null;
        }
        return new Checked(keyArn, secret, message);
    }

    /** The alias name (alias/...) a KeyId names, from the name itself or its ARN; null for a key. */
    private static String aliasName(String keyId) {
        if (keyId.startsWith("alias/")) {
            return keyId;
        }
        int at = keyId.startsWith("arn:") ? keyId.indexOf(":alias/") : -1;
        return at < 0 ? null : keyId.substring(at + 1);
    }

    /** The ARN of a key named by id or ARN. */
    private String keyArn(String keyId) {
        if (keyId.startsWith("arn:")) {
            return keyId;
        }
        for (String arn : hmacKeys.keySet()) {
            if (arn.endsWith("/" + keyId)) return arn;
        }
        for (String arn : otherKeys.keySet()) {
            if (arn.endsWith("/" + keyId)) return arn;
        }
        return keyId;
    }

    private static byte[] hmac(byte[] secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
